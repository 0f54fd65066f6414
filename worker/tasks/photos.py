"""Photo renditions: the task, its retry policy, and the requeue of lost work at worker start."""
import logging

from celery.signals import worker_ready
from django.db import InterfaceError, OperationalError

from ..app import app

logger = logging.getLogger(__name__)

# Worth retrying: storage and database hiccups. A broken image is not: process_photo marks it
# failed and returns normally.
TRANSIENT_ERRORS = (OSError, OperationalError, InterfaceError)
GIVE_UP_REASON = "Processing kept failing on our side; please delete the photo and upload it again."


class RenditionTask(app.Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Out of retries (or an unexpected error): tell the seller instead of spinning forever."""
        from marketplace.photos.models import Photo
        from marketplace.photos.services import mark_failed

        photo = Photo.objects.filter(pk=args[0]).first()
        if photo is not None:
            mark_failed(photo, GIVE_UP_REASON)


@app.task(name="worker.photos.make_renditions", base=RenditionTask, queue="default",
          acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=2,
          retry_backoff_max=300, retry_jitter=True, max_retries=6)
def make_renditions(photo_id: int) -> None:
    """Make a photo's renditions; idempotent, and a photo deleted meanwhile is a no-op."""
    from marketplace.photos.models import Photo
    from marketplace.photos.services import process_photo

    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None:
        logger.info("Photo %s is gone; nothing to do", photo_id)
        return
    process_photo(photo)


@worker_ready.connect
def requeue_pending_photos_at_start(**_kwargs) -> None:
    """The local Redis keeps nothing on disk, so queued work can be lost: queue it again."""
    from marketplace.photos.services import requeue_pending_photos

    logger.info("Requeued %d pending photo(s)", requeue_pending_photos())
