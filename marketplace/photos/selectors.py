"""Reads: which listings and photos a user may see or change."""
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from marketplace.listings.models import Listing

from .models import Photo


def is_seller(listing: Listing, user) -> bool:
    return user.is_authenticated and listing.seller_id == user.pk


def owned_listing_or_404(user, listing_pk: int) -> Listing:
    """The user's own listing; anyone else's looks like a missing page (no existence leak)."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(Listing, pk=listing_pk, seller=user)


def visible_listing_or_404(user, listing_pk: int) -> Listing:
    """A listing the user may look at: public, or their own."""
    listing = get_object_or_404(Listing, pk=listing_pk)
    if not (listing.is_public or is_seller(listing, user)):
        raise Http404
    return listing


def photos_of(listing: Listing, user) -> QuerySet[Photo]:
    """All photos for the seller (with their processing state); only ready ones for others."""
    photos = listing.photos.all()
    return photos if is_seller(listing, user) else photos.filter(status=Photo.Status.DONE)


def visible_photo_or_404(user, photo_pk: int) -> Photo:
    photo = get_object_or_404(Photo.objects.select_related("listing"), pk=photo_pk)
    listing = photo.listing
    if is_seller(listing, user) or (listing.is_public and photo.status == Photo.Status.DONE):
        return photo
    raise Http404


def pending_photo_ids() -> list[int]:
    return list(Photo.objects.filter(status=Photo.Status.PENDING)
                .order_by("created_at").values_list("pk", flat=True))
