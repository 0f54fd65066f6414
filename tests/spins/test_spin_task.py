"""The stitching task run inline: one task per spin, retries for temporary errors only, every
failure explained to the seller, frames stored under the same names when stitching is re-done."""
from datetime import timedelta
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from marketplace.spins import services
from marketplace.spins.models import Spin
from worker.tasks.spins import SOURCE_MISSING, TOO_LONG, UNEXPECTED, process_spin

pytestmark = pytest.mark.django_db


@pytest.fixture
def uploaded_spin(seller, listing, media_root, burst_uploads, queued):
    return services.create_spin(listing=listing, user=seller, photos=burst_uploads())


def public_files(media_root) -> list[Path]:
    return sorted(path for path in Path(media_root).rglob("*") if path.is_file())


def abandon(spin) -> None:
    """What a worker that died while stitching leaves behind: a claim past the lease."""
    Spin.objects.filter(pk=spin.pk).update(status="processing",
                                           claimed_at=timezone.now() - timedelta(hours=1))


def test_task_configuration():
    assert process_spin.acks_late is True and process_spin.reject_on_worker_lost is True
    assert process_spin.max_retries > 0 and process_spin.retry_backoff
    assert OSError in process_spin.autoretry_for


def test_a_spin_is_claimed_by_one_task_only(uploaded_spin):
    claimed = services.start_processing(uploaded_spin.pk)
    assert claimed.status == "processing" and claimed.claimed_at is not None
    assert services.start_processing(uploaded_spin.pk) is None  # a duplicate or redelivery
    assert process_spin.apply(args=[uploaded_spin.pk]).successful()
    claimed.refresh_from_db()
    assert claimed.status == "processing" and claimed.stage == "starting"  # left alone


def test_an_abandoned_stitching_is_taken_over_until_it_was_interrupted_too_often(
        uploaded_spin, settings):
    assert services.start_processing(uploaded_spin.pk)
    for interruptions in range(1, settings.SPIN_MAX_ATTEMPTS):
        abandon(uploaded_spin)
        assert services.start_processing(uploaded_spin.pk).interruptions == interruptions
    abandon(uploaded_spin)
    assert services.start_processing(uploaded_spin.pk) is None
    uploaded_spin.refresh_from_db()
    assert uploaded_spin.status == "failed"
    assert uploaded_spin.failure_reason.startswith(
        f"Stitching was interrupted {settings.SPIN_MAX_ATTEMPTS} times")


def test_stitching_re_done_after_a_crash_overwrites_its_frames(uploaded_spin, media_root):
    assert process_spin.apply(args=[uploaded_spin.pk]).successful()
    stored = public_files(media_root)
    abandon(uploaded_spin)  # as if the worker died after storing the frames, before "done"
    assert process_spin.apply(args=[uploaded_spin.pk]).successful()
    uploaded_spin.refresh_from_db()
    assert uploaded_spin.status == "done" and uploaded_spin.interruptions == 1
    assert public_files(media_root) == stored and len(stored) == 2 * 12 + 1  # no "_a1B2c3d"


def test_a_storage_error_while_storing_the_frames_is_retried(uploaded_spin, media_root,
                                                             monkeypatch):
    real_save, failed = FileSystemStorage.save, []

    def save_unless_first(storage, name, content, max_length=None):
        if not failed:
            failed.append(name)
            raise ConnectionError("storage unreachable")  # an OSError
        return real_save(storage, name, content, max_length=max_length)

    monkeypatch.setattr(FileSystemStorage, "save", save_unless_first)
    assert process_spin.apply(args=[uploaded_spin.pk]).successful()
    uploaded_spin.refresh_from_db()
    assert failed and uploaded_spin.status == "done" and uploaded_spin.interruptions == 0
    assert len(public_files(media_root)) == 2 * 12 + 1


def test_storage_errors_past_the_retries_fail_the_spin(uploaded_spin, monkeypatch):
    monkeypatch.setattr(process_spin, "max_retries", 1)
    calls = []

    def storage_down(storage, name, content, max_length=None):
        calls.append(name)
        raise ConnectionError("storage unreachable")

    monkeypatch.setattr(FileSystemStorage, "save", storage_down)
    assert process_spin.apply(args=[uploaded_spin.pk]).failed()
    uploaded_spin.refresh_from_db()
    assert len(calls) == 2  # the first run and its one retry
    assert uploaded_spin.status == "failed" and uploaded_spin.failure_reason == UNEXPECTED


def test_the_soft_time_limit_while_storing_the_frames_fails_the_spin(uploaded_spin,
                                                                     monkeypatch):
    def out_of_time(*args):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "finish_spin", out_of_time)
    assert process_spin.apply(args=[uploaded_spin.pk]).successful()
    uploaded_spin.refresh_from_db()
    assert uploaded_spin.status == "failed" and uploaded_spin.failure_reason == TOO_LONG


def test_a_missing_original_fails_the_spin_without_retrying(uploaded_spin, monkeypatch):
    source = uploaded_spin.sources.all()[3]
    source.file.storage.delete(source.file.name)
    claims = []
    real_start = services.start_processing
    monkeypatch.setattr(services, "start_processing", lambda pk: claims.append(pk) or
                        real_start(pk))
    assert process_spin.apply(args=[uploaded_spin.pk]).successful()
    uploaded_spin.refresh_from_db()
    assert len(claims) == 1
    assert uploaded_spin.status == "failed" and uploaded_spin.failure_reason == SOURCE_MISSING
