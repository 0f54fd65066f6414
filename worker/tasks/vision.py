"""Vision tasks (queue `vision`): tag and embed photos, and re-queue photos left behind.

The engine is imported lazily through `marketplace.search.engine` so only a worker that runs
these tasks loads torch. Tasks ack late and are rejected when the worker dies, so a batch
killed half-way is redelivered; the photos of a batch are row-locked while the model runs and
the writes are upserts per (photo, model version), so nothing is analysed twice. Each photo's
attempts are counted before the model runs, so one that kills the worker is tried alone, then
set aside after SEARCH_MAX_ATTEMPTS (`marketplace.search.services.analyse_photos`).
"""
from __future__ import annotations

import logging
from datetime import timedelta

from celery.signals import worker_ready
from django.conf import settings
from django.utils import timezone

from ..app import app
from .photos import TRANSIENT_ERRORS

logger = logging.getLogger(__name__)


# Storage and database hiccups are retried with backoff; a photo without an original, or one
# the model cannot read, is stored as failed instead.
@app.task(name="worker.vision.embed_photos", acks_late=True,
          reject_on_worker_lost=True, autoretry_for=TRANSIENT_ERRORS,
          retry_backoff=True, max_retries=5)
def embed_photos(photo_ids: list[int]) -> int:
    """Run the engine over these photos (one listing's upload) and store tags and vectors.

    Each engine batch is filled up with other pending photos (whose own tasks then find
    nothing left to do), so the engine runs full batches while uploads queue up.
    """
    from marketplace.search.engine import get_engine
    from marketplace.search.services import analyse_photos

    return analyse_photos(photo_ids, get_engine(), batch_size=settings.SEARCH_VISION_BATCH_SIZE,
                          fill_from_pending=True)


@app.task(name="worker.vision.reconcile_pending")
def reconcile_pending() -> int:
    """Re-queue photos older than SEARCH_RECONCILE_AFTER_S that no model has analysed yet
    (their task was lost, e.g. with a Redis restart); return how many."""
    from marketplace.photos.models import Photo

    cutoff = timezone.now() - timedelta(seconds=settings.SEARCH_RECONCILE_AFTER_S)
    per_listing: dict[int, list[int]] = {}
    for photo_id, listing_id in (Photo.objects.filter(created_at__lte=cutoff, analyses=None)
                                 .values_list("pk", "listing_id").order_by("pk")):
        per_listing.setdefault(listing_id, []).append(photo_id)
    for photo_ids in per_listing.values():
        embed_photos.delay(photo_ids)
    if per_listing:
        logger.info("Re-queued %d photo batch(es) left without analysis", len(per_listing))
    return sum(len(ids) for ids in per_listing.values())


@worker_ready.connect
def reconcile_on_start(sender, **kwargs) -> None:
    """A worker that (re)starts looks for photos whose tasks were lost while it was down."""
    reconcile_pending.delay()
