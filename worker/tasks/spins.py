"""Stitching a rotating view: storage → vision.spin → storage, progress saved as it goes."""
import logging
import tempfile
from datetime import timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from django.conf import settings

from ..app import app

logger = logging.getLogger(__name__)


# A 60 s video stitches in well under a minute on one core: ten minutes means a runaway
# (limits apply under the prefork pool).
@app.task(name="worker.spins.process_spin", acks_late=True, reject_on_worker_lost=True,
          soft_time_limit=600, time_limit=660)
def process_spin(spin_id: int) -> None:
    """Stitch one capture. Idempotent: a redelivered task re-does a spin that never finished."""
    from marketplace.spins import services
    from vision.spin import SpinConfig, SpinError
    from vision.spin.pipeline import build_spin

    spin = services.start_processing(spin_id)
    if spin is None:
        return
    config = SpinConfig(output_frames=settings.SPIN_OUTPUT_FRAMES,
                        max_video_seconds=settings.SPIN_VIDEO_MAX_SECONDS,
                        max_pixels=settings.PHOTO_MAX_PIXELS)
    with tempfile.TemporaryDirectory(prefix="spin-") as work:
        try:
            source = services.download_sources(spin, Path(work) / "capture")
            manifest = build_spin(source, Path(work) / "out", config,
                                  services.progress_recorder(spin))
        except SpinError as error:
            services.fail_spin(spin, error.message)
            return
        except SoftTimeLimitExceeded:
            services.fail_spin(spin, "Stitching took too long: upload a shorter clip (5–20 s) "
                               "or fewer photos.")
            return
        except Exception:
            services.fail_spin(spin, "Stitching failed unexpectedly; please upload the capture "
                               "again. We have been notified.")
            raise
        services.finish_spin(spin, Path(work) / "out", manifest)


@worker_ready.connect
def requeue_pending_spins_at_start(**_kwargs) -> None:
    """The local Redis keeps nothing on disk, so queued captures can be lost: queue them again."""
    from marketplace.spins.services import requeue_pending_spins

    logger.info("Requeued %d waiting spin(s)", len(requeue_pending_spins()))


@app.task(name="worker.spins.requeue_stale_pending")
def requeue_stale_pending() -> list[int]:
    """Run by beat: queue again the spins waiting longer than SPIN_PENDING_GRACE_SECONDS."""
    from marketplace.spins.services import requeue_pending_spins

    spin_ids = requeue_pending_spins(timedelta(seconds=settings.SPIN_PENDING_GRACE_SECONDS))
    logger.info("Requeued %d stale waiting spin(s)", len(spin_ids))
    return spin_ids
