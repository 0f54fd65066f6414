"""Reads: which listings a buyer, a seller or a moderator sees."""
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from marketplace.photos.models import Photo

from .models import Category, Listing

PUBLIC = Q(status__in=[Listing.Status.ACTIVE, Listing.Status.SOLD], is_hidden=False)


def ready_photos(lookup: str = "photos") -> Prefetch:
    """Prefetch the processed photos (in gallery order) of the listings at `lookup` (e.g.
    "listing__photos" from a model pointing at a listing) into their `ready_photos`."""
    ready = Photo.objects.filter(status=Photo.Status.DONE).order_by("position", "pk")
    return Prefetch(lookup, queryset=ready, to_attr="ready_photos")


def with_ready_photos(listings: QuerySet[Listing]) -> QuerySet[Listing]:
    """The listings with category, seller and `ready_photos` loaded, as cards show them."""
    return listings.select_related("category", "seller").prefetch_related(ready_photos())


def public_listings() -> QuerySet[Listing]:
    """Listings any visitor may open: active or sold, not hidden by a moderator."""
    return Listing.objects.filter(PUBLIC)


def listings_for_sale() -> QuerySet[Listing]:
    """Public listings still for sale: what browse and search show and a poll may offer."""
    return public_listings().filter(status=Listing.Status.ACTIVE)


def browse_listings() -> QuerySet[Listing]:
    """What the browse grid and the API list show: listings for sale, newest first."""
    return with_ready_photos(listings_for_sale().order_by("-created_at", "-pk"))


def listings_for_seller(seller) -> QuerySet[Listing]:
    """All of a seller's listings in every state, with their photo count."""
    return with_ready_photos(
        Listing.objects.filter(seller=seller).annotate(photo_count=Count("photos"))
        .order_by("-created_at", "-pk"))


def is_seller(listing: Listing, user) -> bool:
    return user.is_authenticated and listing.seller_id == user.pk


def visible_listings(user) -> QuerySet[Listing]:
    """Listings `user` may open: public ones, their own, and everything for staff."""
    if user.is_authenticated and user.is_staff:
        return Listing.objects.all()
    if user.is_authenticated:
        return Listing.objects.filter(PUBLIC | Q(seller=user))
    return public_listings()


def listing_for_viewer(user, pk: int) -> Listing:
    """The listing with its gallery, or 404 when `user` may not see it."""
    return get_object_or_404(with_ready_photos(visible_listings(user)), pk=pk)


def listing_for_seller(seller, pk: int) -> Listing:
    """One of the seller's own listings, or 404 (also for other people's listings)."""
    return get_object_or_404(Listing, pk=pk, seller=seller)


def categories_in_tree_order() -> QuerySet[Category]:
    """Each vertical followed by its sub-categories (the taxonomy is two levels deep)."""
    return Category.objects.select_related("parent").order_by(
        Coalesce("parent__position", "position"), Coalesce("parent__name", "name"),
        F("parent").asc(nulls_first=True), "position", "name")


def category_roots() -> QuerySet[Category]:
    return Category.objects.filter(parent=None).prefetch_related("children")
