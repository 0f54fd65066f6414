"""Writes: adding, ordering, deleting and processing photos.

Files go through Django's storage API only (local disk or S3 alike). Anything that must not
happen unless the database change sticks (queueing work, deleting files) runs on commit.
"""
import hashlib
import logging
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from marketplace.listings.models import Listing
from marketplace.listings.selectors import is_seller
from marketplace.listings.services import create_draft
from worker.tasks.photos import make_renditions as make_renditions_task

from . import renditions
from .models import Photo
from .selectors import pending_photo_ids
from .validation import check_photo_count, validate_photo_files

logger = logging.getLogger(__name__)


def ensure_seller(listing: Listing, user) -> None:
    if not is_seller(listing, user):
        raise PermissionDenied("Only the seller can change this listing's photos.")


def add_photos(listing: Listing, files: Sequence[UploadedFile], *, user) -> list[Photo]:
    """Store a batch of uploads as pending photos, or none of them if any file is refused."""
    ensure_seller(listing, user)
    validate_photo_files(files, existing=listing.photos.count())
    stored: list[tuple[Storage, str]] = []
    try:
        with transaction.atomic():
            # Lock the listing so two uploads at once cannot both slip under the photo limit.
            Listing.objects.select_for_update().only("pk").get(pk=listing.pk)
            check_photo_count(listing.photos.count(), len(files))
            next_position = (listing.photos.aggregate(last=Max("position"))["last"] or 0) + 1
            photos = []
            for offset, upload in enumerate(files):
                upload.seek(0)
                photo = Photo(listing=listing, position=next_position + offset)
                photo.original.save("original", upload, save=False)
                stored.append((photo.original.storage, photo.original.name))
                photo.save()
                photos.append(photo)
            for photo in photos:
                # robust: if the broker is down the upload still succeeds; the photo stays
                # pending and is queued again when a worker starts (requeue_pending_photos).
                transaction.on_commit(lambda pk=photo.pk: make_renditions_task.delay(pk),
                                      robust=True)
    except BaseException:
        delete_files(stored)
        raise
    return photos


def start_listing(seller, files: Sequence[UploadedFile]) -> Listing:
    """Sell from photos: a new draft listing holding these photos, or nothing at all if a file
    is refused (none chosen included). The model's suggestions from the photos then fill the
    draft in."""
    with transaction.atomic():
        listing = create_draft(seller)
        add_photos(listing, files, user=seller)
    return listing


def reorder_photos(listing: Listing, photo_ids: Sequence[int], *, user) -> None:
    """Put the listing's photos in the given order; it must name each of them exactly once."""
    ensure_seller(listing, user)
    with transaction.atomic():
        photos = lock_photos(listing)
        if len(photo_ids) != len(set(photo_ids)) or set(photo_ids) != set(photos):
            raise ValidationError(
                "The new order must list every photo of this listing exactly once.",
                code="bad_order")
        save_order(photos, photo_ids)


def move_photo(photo: Photo, step: int, *, user) -> None:
    """Swap a photo with its neighbour (step -1: earlier, +1: later); no-op at either end.

    The order is read under the same locks it is written with, so a photo uploaded or deleted
    meanwhile cannot make it stale; only the moved photo's own deletion is refused."""
    ensure_seller(photo.listing, user)
    with transaction.atomic():
        photos = lock_photos(photo.listing)
        order = list(photos)
        if photo.pk not in photos:
            raise ValidationError("This photo has just been deleted.", code="gone")
        index = order.index(photo.pk)
        target = index + step
        if 0 <= target < len(order):
            order[index], order[target] = order[target], order[index]
        save_order(photos, order)


def lock_photos(listing: Listing) -> dict[int, Photo]:
    """The listing's photos by id, in their order, locked until the transaction ends (in id
    order, the order the vision worker locks its batches in)."""
    locked = listing.photos.select_for_update().order_by("pk")
    return {photo.pk: photo for photo in sorted(locked, key=lambda p: (p.position, p.pk))}


def save_order(photos: dict[int, Photo], photo_ids: Sequence[int]) -> None:
    for position, photo_id in enumerate(photo_ids, start=1):
        photos[photo_id].position = position
    Photo.objects.bulk_update(photos.values(), ["position"])


def delete_photo(photo: Photo, *, user) -> None:
    """Delete the photo; its files follow once that is committed (`delete_files_of`). A vision
    worker analysing it is waited for (the search app's pre_delete lock)."""
    ensure_seller(photo.listing, user)
    photo.delete()


def delete_files_of(photo: Photo) -> None:
    """After a photo row is deleted (by `delete_photo` or with its listing), on commit."""
    stored = [(file.storage, file.name)
              for file in (photo.original, photo.display, photo.thumbnail) if file]
    transaction.on_commit(lambda: delete_files(stored), robust=True)


def process_photo(photo: Photo) -> None:
    """Make the display and thumbnail renditions and record what was learnt (idempotent).

    The photo's row is locked while it is processed; a lock held by someone else (another
    delivery of this task, the vision worker running the model on it) is waited for, and a
    photo that is then done or gone is skipped. Rendition names derive from the photo and its
    content, so a re-run after a crash overwrites the same files instead of adding new ones.
    A file that cannot be decoded marks the photo failed; storage or database errors propagate
    so the Celery task can retry them.
    """
    with transaction.atomic():
        locked = (Photo.objects.select_for_update()
                  .exclude(status=Photo.Status.DONE).filter(pk=photo.pk).first())
        if locked is not None:
            make_photo_renditions(locked)
    try:
        photo.refresh_from_db()  # so a caller (e.g. load_demo) sees the result
    except Photo.DoesNotExist:
        pass  # deleted meanwhile: nothing was written


def make_photo_renditions(photo: Photo) -> None:
    try:
        with photo.original.storage.open(photo.original.name, "rb") as original:
            data = original.read()
    except FileNotFoundError:
        mark_failed(photo, "The uploaded file is missing; please upload the photo again.")
        return
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        made = renditions.make_renditions(data, settings.PHOTO_MAX_PIXELS)
    except renditions.UndecodableImage as error:
        mark_failed(photo, str(error), sha256=sha256)
        return
    # Renditions go to the public storage (the original stays in the private one), under names
    # that reveal nothing about the original.
    storage = photo.display.storage
    folder = f"renditions/{photo.listing_id}/{photo.pk}-{sha256[:16]}"
    stale = {photo.display.name, photo.thumbnail.name} - {""}
    photo.display = overwrite(storage, f"{folder}/display.jpg", made.display)
    photo.thumbnail = overwrite(storage, f"{folder}/thumbnail.jpg", made.thumbnail)
    photo.width, photo.height, photo.sha256 = made.width, made.height, sha256
    photo.status, photo.failure_reason = Photo.Status.DONE, ""
    photo.processed_at = timezone.now()
    photo.save(update_fields=["display", "thumbnail", "width", "height", "sha256", "status",
                              "failure_reason", "processed_at"])
    delete_files([(storage, name)
                  for name in sorted(stale - {photo.display.name, photo.thumbnail.name})])


def mark_failed(photo: Photo, reason: str, *, sha256: str = "") -> None:
    """Record why a photo could not be processed (a finished photo is never downgraded)."""
    logger.info("Photo %s failed: %s", photo.pk, reason)
    Photo.objects.filter(pk=photo.pk).exclude(status=Photo.Status.DONE).update(
        status=Photo.Status.FAILED, failure_reason=reason[:300], sha256=sha256,
        processed_at=timezone.now())


def requeue_pending_photos(older_than: timedelta | None = None) -> list[int]:
    """Queue the rendition task again for every pending photo (e.g. after Redis lost its queue),
    or only those uploaded more than `older_than` ago; returns their ids.

    Safe to over-queue: a photo finished meanwhile is skipped by `process_photo`.
    """
    photo_ids = pending_photo_ids(
        created_before=timezone.now() - older_than if older_than is not None else None)
    for photo_id in photo_ids:
        make_renditions_task.delay(photo_id)
    return photo_ids


def overwrite(storage: Storage, name: str, content: bytes) -> str:
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(content))


def delete_files(stored: Sequence[tuple[Storage, str]]) -> None:
    for storage, name in stored:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("Could not delete %s from storage", name, exc_info=True)
