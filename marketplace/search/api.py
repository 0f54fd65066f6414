"""`POST /api/v1/search/image/`: search by photo."""
import time

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.listings.models import Listing
from marketplace.photos.uploads import PhotoUploadLimitMixin, upload_refusal

from . import selectors
from .forms import SearchFiltersForm
from .query_image import InvalidImage, read_query_image
from .throttles import ImageSearchThrottle


class ImageSearch(serializers.Serializer):
    """A photo and the search page's optional filters, checked by the same form
    (`SearchFiltersForm`): `category` (a slug; its sub-categories are included), `min_price`,
    `max_price`, `condition` and `location` (part of the listing's location)."""

    image = serializers.FileField(help_text="A photo (JPEG, PNG, WebP or HEIC).")
    limit = serializers.IntegerField(min_value=1, max_value=48, default=24)

    def validate_image(self, upload):
        try:
            return read_query_image(upload)
        except InvalidImage as error:
            raise ValidationError(str(error)) from None

    def validate(self, data: dict) -> dict:
        filters = SearchFiltersForm(self.initial_data)
        if not filters.is_valid():
            raise ValidationError(filters.errors)
        return {**data, "filters": filters.filters()}


@extend_schema_serializer(component_name="ImageSearch")
class ImageSearchSchema(ImageSearch):
    """`ImageSearch` as the OpenAPI schema shows it: with its filters, which are declared here
    for the documentation only (`ImageSearch` has them checked by `SearchFiltersForm`)."""

    category = serializers.SlugField(
        required=False, help_text="A category slug; its sub-categories are included.")
    min_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0,
                                         required=False)
    max_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0,
                                         required=False)
    condition = serializers.ChoiceField(choices=Listing.Condition.choices, required=False,
                                        allow_blank=True)
    location = serializers.CharField(
        max_length=120, required=False, help_text="Part of the listing's location.")


class ImageSearchResult(serializers.Serializer):
    listing = serializers.DictField()
    photo = serializers.DictField(help_text="The listing's photo nearest to the query photo.")
    distance = serializers.FloatField(
        help_text="Cosine distance from the query photo to this photo, at most "
                  f"{selectors.SIMILAR_MAX_DISTANCE}.")
    exact_match = serializers.BooleanField(
        help_text=f"The distance is at most {selectors.EXACT_MATCH_DISTANCE}: the same product.")
    shared_attributes = serializers.ListField(child=serializers.CharField())


class ImageSearchResponse(serializers.Serializer):
    took_ms = serializers.FloatField(help_text="Server time for the whole search, CNN included.")
    embed_ms = serializers.FloatField()
    search_ms = serializers.FloatField()
    model_version = serializers.CharField()
    query = serializers.DictField(help_text="What the model saw in the query photo.")
    results = ImageSearchResult(many=True, help_text="Nearest first; empty when no listing for "
                                                     "sale is similar to the photo.")


def match_json(match: selectors.Match, request) -> dict:
    listing, photo = match.listing, match.photo
    return {
        "listing": {"id": listing.pk, "title": listing.title, "price": str(listing.price),
                    "currency": listing.currency, "condition": listing.condition,
                    "location": listing.location, "category": listing.category_id,
                    "url": request.build_absolute_uri(listing.get_absolute_url())},
        "photo": {"id": photo.pk, "thumbnail": request.build_absolute_uri(photo.thumbnail.url)
                  if photo.thumbnail else None},
        "distance": round(match.distance, 4),
        "exact_match": match.exact,
        "shared_attributes": match.shared,
    }


IMAGE_SEARCH_DESCRIPTION = (
    "Find listings by photo, one entry per listing (its photo nearest to the query photo), "
    "nearest first: exact matches (`exact_match`, cosine distance at most "
    f"{selectors.EXACT_MATCH_DISTANCE}) first, then similar items. A listing whose nearest photo "
    f"lies farther than {selectors.SIMILAR_MAX_DISTANCE} is no similar item and is never "
    "returned, so a photo unlike every listing for sale gets an empty `results` list (still "
    "200, with the timings and what the model saw in `query`). The filters only narrow the "
    "search: they never bring back a listing beyond that distance.")


class ImageSearchView(PhotoUploadLimitMixin, APIView):
    """Find listings by photo: exact matches first, then similar items, one entry per listing."""

    parser_classes = [MultiPartParser]
    permission_classes = [AllowAny]
    throttle_classes = [ImageSearchThrottle]

    @extend_schema(description=IMAGE_SEARCH_DESCRIPTION, request=ImageSearchSchema, responses={
        200: ImageSearchResponse,
        400: OpenApiResponse(description="Not a readable image, an upload over the limits, "
                                         "or invalid filters."),
        429: OpenApiResponse(description="Too many searches; retry after the given delay."),
        503: OpenApiResponse(description="The search index is switching to a new model.")})
    def post(self, request):
        started = time.perf_counter()
        params = ImageSearch(data=request.data)
        if refusal := upload_refusal(request):  # known once request.data has been read
            raise ValidationError({"image": [refusal]})
        params.is_valid(raise_exception=True)
        try:
            found = selectors.search_by_photo(params.validated_data["image"],
                                              params.validated_data["filters"],
                                              limit=params.validated_data["limit"])
        except InvalidImage as error:
            raise ValidationError({"image": [str(error)]}) from None
        except selectors.SearchUnavailable as error:
            return Response({"detail": str(error)}, status=503)
        return Response({
            "took_ms": round((time.perf_counter() - started) * 1000, 1),
            "embed_ms": round(found.embed_ms, 1), "search_ms": round(found.search_ms, 1),
            "model_version": found.model_version, "query": found.query_tags,
            "results": [match_json(match, request) for match in found.matches],
        })
