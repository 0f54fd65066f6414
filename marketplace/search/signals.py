"""Enqueue the vision task for new photos: one task per listing per committed transaction."""
from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from marketplace.listings.models import Listing
from marketplace.photos.models import Photo


def enqueue_analysis(photo_ids: list[int]) -> None:
    from worker.tasks.vision import embed_photos

    embed_photos.delay(photo_ids)


def _pending_batches(connection) -> dict[int, tuple[list[int], object]]:
    """Batches waiting for this connection's commit, keyed by listing id.

    A batch belongs to the current transaction while its callback is still queued on the
    connection; after a commit or rollback the callback is gone and a new batch starts.
    """
    batches = connection.__dict__.setdefault("_search_photo_batches", {})
    queued = {callback for _, callback, _robust in connection.run_on_commit}
    for listing_id in [key for key, (_, callback) in batches.items() if callback not in queued]:
        del batches[listing_id]
    return batches


@receiver(post_save, sender=Photo, dispatch_uid="search.enqueue_photo_analysis")
def photo_created(sender, instance: Photo, created: bool, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    if not created:
        return
    connection = connections[using]
    if not connection.in_atomic_block:
        transaction.on_commit(lambda: enqueue_analysis([instance.pk]), using=using, robust=True)
        return
    batches = _pending_batches(connection)
    if instance.listing_id in batches:
        batches[instance.listing_id][0].append(instance.pk)
        return
    photo_ids: list[int] = [instance.pk]

    def flush() -> None:
        enqueue_analysis(photo_ids)

    batches[instance.listing_id] = (photo_ids, flush)
    # robust: with the broker down the upload still succeeds; the reconciler queues it later.
    transaction.on_commit(flush, using=using, robust=True)


@receiver(pre_delete, sender=Photo, dispatch_uid="search.wait_for_the_vision_worker")
def photo_deleting(sender, instance: Photo, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Lock the photo's row before Django deletes what refers to it: a vision worker analysing
    the photo holds the row until its batch commits, and the delete then takes that new analysis
    along, where it would otherwise fail on it at commit. Covers every delete (the seller's, the
    admin's, a listing's cascade): Django sends pre_delete before it deletes related rows."""
    Photo.objects.using(using).select_for_update().filter(pk=instance.pk).exists()


@receiver(post_delete, sender=Photo, dispatch_uid="search.refresh_vectors_of_deleted_photo")
def photo_deleted(sender, instance: Photo, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """A listing's vector is the mean of its photos': recompute it without the deleted one."""
    from .services import refresh_all_versions

    listing_id = instance.listing_id
    transaction.on_commit(lambda: refresh_all_versions(listing_id), using=using, robust=True)


@receiver(post_save, sender=Listing, dispatch_uid="search.index_listing_text")
def listing_saved(sender, instance: Listing, created: bool, **kwargs) -> None:
    from .services import index_listing_text, sync_category

    index_listing_text(instance)
    if not created:
        sync_category(instance)
