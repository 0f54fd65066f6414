"""Stitching a rotating view: storage → vision.spin → storage, progress saved as it goes."""
import logging
import tempfile
from datetime import timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from celery.signals import worker_ready
from django.conf import settings

from ..app import app
from .photos import TRANSIENT_ERRORS

logger = logging.getLogger(__name__)

TOO_LONG = "Stitching took too long: upload a shorter clip (5–20 s) or fewer photos."
UNEXPECTED = ("Stitching failed unexpectedly; please upload the capture again. We have been "
              "notified.")
SOURCE_MISSING = "The uploaded capture is missing; please upload it again."


class SpinTask(app.Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """An unexpected error, temporary errors past their retries, or the hard time limit
        (reported here by the worker's main process, the stitching process being killed): tell
        the seller instead of leaving the spin "Stitching"."""
        from marketplace.spins.services import fail_spin

        fail_spin(args[0], TOO_LONG if isinstance(exc, TimeLimitExceeded) else UNEXPECTED)


# A 60 s video stitches in well under a minute on one core: ten minutes means a runaway
# (limits apply under the prefork pool).
@app.task(name="worker.spins.process_spin", base=SpinTask, acks_late=True,
          reject_on_worker_lost=True, soft_time_limit=600, time_limit=660,
          autoretry_for=TRANSIENT_ERRORS, retry_backoff=2, retry_backoff_max=120,
          retry_jitter=False, max_retries=4)
def process_spin(spin_id: int) -> None:
    """Stitch one capture. Only the task that claims the spin stitches it (`start_processing`);
    a spin whose worker died is queued again by the reconciler once its claim is stale.

    A capture that cannot make a spin fails with its reason; storage and database hiccups hand
    the spin back and are retried with backoff; anything else fails it (`SpinTask.on_failure`).
    """
    from marketplace.spins import services
    from vision.spin import SpinConfig, SpinError
    from vision.spin.pipeline import build_spin

    spin = services.start_processing(spin_id)
    if spin is None:
        return
    config = SpinConfig(output_frames=settings.SPIN_OUTPUT_FRAMES,
                        max_video_seconds=settings.SPIN_VIDEO_MAX_SECONDS,
                        max_pixels=settings.PHOTO_MAX_PIXELS)
    try:
        with tempfile.TemporaryDirectory(prefix="spin-") as work:
            source = services.download_sources(spin, Path(work) / "capture")
            manifest = build_spin(source, Path(work) / "out", config,
                                  services.progress_recorder(spin))
            services.finish_spin(spin, Path(work) / "out", manifest)
    except SpinError as error:
        services.fail_spin(spin.pk, error.message)
    except SoftTimeLimitExceeded:
        services.fail_spin(spin.pk, TOO_LONG)
    except FileNotFoundError:  # an original gone from storage: no retry brings it back
        services.fail_spin(spin.pk, SOURCE_MISSING)
    except TRANSIENT_ERRORS:
        services.release_spin(spin.pk)  # for the retry (`autoretry_for`) to claim
        raise


@worker_ready.connect
def requeue_lost_spins_at_start(**_kwargs) -> None:
    """The local Redis keeps nothing on disk, so queued captures can be lost: queue them again,
    with those whose stitching was abandoned."""
    from marketplace.spins.services import requeue_lost_spins

    logger.info("Requeued %d spin(s)", len(requeue_lost_spins()))


@app.task(name="worker.spins.requeue_stale_pending")
def requeue_stale_pending() -> list[int]:
    """Run by beat: queue again the spins waiting longer than SPIN_PENDING_GRACE_SECONDS and
    those whose stitching was abandoned (claim older than SPIN_CLAIM_LEASE_SECONDS)."""
    from marketplace.spins.services import requeue_lost_spins

    spin_ids = requeue_lost_spins(timedelta(seconds=settings.SPIN_PENDING_GRACE_SECONDS))
    logger.info("Requeued %d stale spin(s)", len(spin_ids))
    return spin_ids
