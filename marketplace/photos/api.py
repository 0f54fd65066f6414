"""REST endpoints for a listing's photos (mounted under /api/v1/ by `api_urls.py`)."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.functional import cached_property
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from marketplace.listings.selectors import listing_for_viewer

from . import selectors, services
from .models import Photo
from .serializers import PhotoOrderSerializer, PhotoSerializer, PhotoUploadSerializer
from .uploads import PhotoUploadLimitMixin, upload_refusal


@extend_schema(tags=["photos"],
               parameters=[OpenApiParameter("listing_id", int, OpenApiParameter.PATH)])
class ListingPhotoViewSet(PhotoUploadLimitMixin, viewsets.GenericViewSet):
    """The photos of one listing: anyone may list a public listing's ready photos; only its
    seller sees pending/failed ones, uploads or reorders."""

    serializer_class = PhotoSerializer
    pagination_class = None  # a listing has a handful of photos (PHOTOS_PER_LISTING)
    filter_backends = []
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @cached_property
    def listing(self):
        return listing_for_viewer(self.request.user, self.kwargs["listing_id"])

    def get_queryset(self):
        return selectors.photos_of(self.listing, self.request.user)

    def list(self, request, listing_id):
        return Response(self.get_serializer(self.get_queryset(), many=True).data)

    @extend_schema(
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={201: PhotoSerializer(many=True),
                   400: OpenApiResponse(description="`images`: one message per refused file; "
                                                    "nothing is stored.")})
    def create(self, request, listing_id):
        """Upload several photos at once; all are stored, or none if any file is refused."""
        services.ensure_seller(self.listing, request.user)
        upload = PhotoUploadSerializer(data=request.data)
        if refusal := upload_refusal(request):  # known once request.data has been read
            raise ValidationError({"images": [refusal]})
        upload.is_valid(raise_exception=True)
        try:
            photos = services.add_photos(
                self.listing, upload.validated_data["images"], user=request.user)
        except DjangoValidationError as error:
            raise ValidationError({"images": error.messages}) from None
        return Response(self.get_serializer(photos, many=True).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=PhotoOrderSerializer, responses={200: PhotoSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def reorder(self, request, listing_id):
        """Set the order of the listing's photos."""
        order = PhotoOrderSerializer(data=request.data)
        order.is_valid(raise_exception=True)
        try:
            services.reorder_photos(self.listing, order.validated_data["order"], user=request.user)
        except DjangoValidationError as error:
            raise ValidationError({"order": error.messages}) from None
        return Response(self.get_serializer(self.get_queryset(), many=True).data)


class PhotoViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One photo: visible with its listing; only the seller may delete it."""

    serializer_class = PhotoSerializer
    queryset = Photo.objects.all()  # for the schema; access goes through get_object

    def get_object(self):
        return selectors.visible_photo_or_404(self.request.user, self.kwargs["pk"])

    @extend_schema(responses={204: None})
    def destroy(self, request, pk):
        services.delete_photo(self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
