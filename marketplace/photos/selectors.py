"""Reads: which photos a user may see (which listings: `marketplace.listings.selectors`)."""
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from marketplace.listings.models import Listing
from marketplace.listings.selectors import is_seller, visible_listings

from .models import Photo


def photos_of(listing: Listing, user) -> QuerySet[Photo]:
    """All photos for the seller (with their processing state); only ready ones for others."""
    photos = listing.photos.all()
    return photos if is_seller(listing, user) else photos.filter(status=Photo.Status.DONE)


def visible_photo_or_404(user, photo_pk: int) -> Photo:
    """A photo of a listing the user may open: any of its seller's, ready ones for others."""
    photo = get_object_or_404(
        Photo.objects.select_related("listing").filter(listing__in=visible_listings(user)),
        pk=photo_pk)
    if is_seller(photo.listing, user) or photo.status == Photo.Status.DONE:
        return photo
    raise Http404


def pending_photo_ids(created_before: datetime | None = None) -> list[int]:
    photos = Photo.objects.filter(status=Photo.Status.PENDING)
    if created_before is not None:
        photos = photos.filter(created_at__lt=created_before)
    return list(photos.order_by("created_at").values_list("pk", flat=True))
