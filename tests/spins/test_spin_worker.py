"""A real Celery worker stitches uploaded captures, saving progress; failures are explained."""
import time

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.spins import services
from marketplace.spins.models import Spin
from tests.search.helpers import running_worker
from tests.spins.captures import write_video
from worker.tasks.spins import TOO_LONG, process_spin

pytestmark = pytest.mark.worker


def wait_until_finished(spin, timeout=120):
    """Poll like the capture page does; return the spin and every progress value seen."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        spin.refresh_from_db()
        seen.append(spin.progress)
        if spin.status in (Spin.Status.DONE, Spin.Status.FAILED):
            return spin, seen
        time.sleep(0.1)
    pytest.fail(f"spin still {spin.status} at {spin.progress}% after {timeout}s")


def test_worker_stitches_a_photo_burst(media_root, celery_worker_process, seller, listing,
                                       burst_uploads):
    spin = services.create_spin(listing=listing, user=seller, photos=burst_uploads())
    spin, seen = wait_until_finished(spin)

    assert spin.status == "done", spin.failure_reason
    assert spin.progress == 100 and any(0 < p < 100 for p in seen)  # progress was saved as it went
    assert spin.frame_count == 12 and spin.loop_closed is True and not spin.is_live
    manifest = spin.manifest
    assert manifest["source"]["kind"] == "photos" and len(manifest["frames"]) == 12
    for frame in manifest["frames"]:
        assert default_storage.exists(spin.output_prefix + frame["display"])
        assert default_storage.exists(spin.output_prefix + frame["zoom"])
    # Nothing public names the seller's files (the manifest, which does, stays in the database).
    assert "IMG_0000.png" in str(manifest["source"])
    public = [path for path in media_root.rglob("*") if path.is_file()]
    assert len(public) == 2 * 12 + 1 and not any(b"IMG_" in p.read_bytes() for p in public)
    assert all(s.file.storage.exists(s.file.name) for s in spin.sources.all())  # originals kept
    assert not any(default_storage.exists(s.file.name) for s in spin.sources.all())  # not public


def test_worker_explains_a_one_frame_video(media_root, celery_worker_process, seller, listing,
                                           tmp_path):
    write_video(tmp_path / "walk.mp4", [0.0], size=64)
    video = SimpleUploadedFile("walk.mp4", (tmp_path / "walk.mp4").read_bytes(), "video/mp4")
    spin = services.create_spin(listing=listing, user=seller, video=video)
    spin, _ = wait_until_finished(spin)

    assert spin.status == "failed" and not spin.is_live
    assert spin.failure_reason.startswith("Not enough distinct angles: we found 1 usable view")
    assert spin.manifest is None and spin.output_prefix == ""
    assert not default_storage.exists(f"spins/{listing.pk}/{spin.key}/frames")


def test_worker_stitches_a_walk_around_video(media_root, celery_worker_process, seller, listing,
                                             tmp_path):
    write_video(tmp_path / "walk.mov", list(range(0, 380, 12)), size=96)
    video = SimpleUploadedFile("walk.mov", (tmp_path / "walk.mov").read_bytes(), "video/quicktime")
    spin = services.create_spin(listing=listing, user=seller, video=video)
    spin, _ = wait_until_finished(spin)

    assert spin.status == "done", spin.failure_reason
    assert spin.loop_closed is True and spin.manifest["source"]["kind"] == "video"
    times = [frame["time"] for frame in spin.manifest["frames"]]
    assert times == sorted(times) and len(times) == spin.frame_count >= 24


def test_the_hard_time_limit_fails_the_spin(transactional_db, media_root, seller, listing,
                                            burst_uploads, queued, tmp_path):
    """Stitching hangs where the soft time limit cannot interrupt it and is killed at the hard
    one: the worker's main process marks the spin failed instead of leaving it "Stitching"."""
    log = tmp_path / "worker.log"
    with running_worker(log, pool="prefork", app="tests.spins.stuck_worker"):
        spin = services.create_spin(listing=listing, user=seller, photos=burst_uploads())
        process_spin.apply_async(queued, soft_time_limit=0.5, time_limit=1)
        spin, _ = wait_until_finished(spin)
    assert "Hard time limit (1s) exceeded" in log.read_text()
    assert spin.status == "failed" and spin.failure_reason == TOO_LONG
