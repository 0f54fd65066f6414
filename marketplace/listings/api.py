"""REST API for listings and categories (registered in `marketplace.api_urls`)."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from . import selectors, services
from .filters import ListingFilter
from .models import Listing
from .serializers import CategoryTreeSerializer, ListingSerializer


class IsSellerOrReadOnly(permissions.BasePermission):
    message = "Only the seller can change this listing."

    def has_object_permission(self, request, view, listing: Listing) -> bool:
        return request.method in permissions.SAFE_METHODS or listing.seller_id == request.user.pk


class ListingViewSet(viewsets.ModelViewSet):
    """Listings for sale. Anyone can read; signed-in users sell; only the seller edits.

    `list` shows public listings still for sale (as the browse page). `retrieve` also opens
    sold ones, and the caller's own listings in any state. `destroy` is a soft delete: the
    listing gets status "removed" and stays referenced by saved lists and polls.
    """

    queryset = Listing.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = ListingSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, IsSellerOrReadOnly]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ListingFilter

    def get_queryset(self):
        if self.action == "list":
            return selectors.browse_listings()
        if self.action == "mine":
            return selectors.listings_for_seller(self.request.user)
        return selectors.with_ready_photos(selectors.visible_listings(self.request.user))

    def perform_create(self, serializer):
        listing = services.create_listing(self.request.user, **serializer.validated_data)
        serializer.instance = selectors.with_ready_photos(Listing.objects.all()).get(pk=listing.pk)

    def perform_update(self, serializer):
        services.update_listing(serializer.instance, **serializer.validated_data)

    def perform_destroy(self, listing: Listing):
        services.remove_listing(listing)

    @extend_schema(request=None, responses=ListingSerializer)
    @action(detail=True, methods=["post"], url_path="mark-sold")
    def mark_sold(self, request: Request, pk=None) -> Response:
        """Mark the caller's active listing as sold (seller only)."""
        listing = self.get_object()
        try:
            services.mark_sold(listing)
        except DjangoValidationError as error:
            raise ValidationError({"status": error.messages}) from error
        return Response(self.get_serializer(listing).data)

    @extend_schema(responses=ListingSerializer(many=True))
    @action(detail=False, permission_classes=[permissions.IsAuthenticated])
    def mine(self, request: Request) -> Response:
        """The caller's own listings in every state (active, sold, removed, hidden)."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The category tree: verticals with their sub-categories. Look one up by slug."""

    serializer_class = CategoryTreeSerializer
    lookup_field = "slug"
    pagination_class = None

    def get_queryset(self):
        if self.action == "list":
            return selectors.category_roots()
        return selectors.categories_in_tree_order().prefetch_related("children")
