"""The rendition task's contract, run inline: retries for transient errors only."""
import photo_files as files
from marketplace.photos import services
from marketplace.photos.models import Photo
from worker.tasks.photos import GIVE_UP_REASON, make_renditions


def test_task_configuration():
    assert make_renditions.acks_late is True
    assert make_renditions.queue == "default"
    assert make_renditions.max_retries > 0 and make_renditions.retry_backoff
    assert OSError in make_renditions.autoretry_for


def test_a_deleted_photo_is_a_no_op(db):
    assert make_renditions.apply(args=[987654]).successful()


def test_a_broken_image_fails_once_without_retrying(listing, stored_photo, monkeypatch):
    photo = stored_photo(listing, files.truncated_jpeg())
    calls = []
    real = services.process_photo
    monkeypatch.setattr(services, "process_photo", lambda p: calls.append(p) or real(p))
    assert make_renditions.apply(args=[photo.pk]).successful()
    photo.refresh_from_db()
    assert len(calls) == 1 and photo.status == Photo.Status.FAILED


def test_transient_errors_are_retried_then_reported(listing, stored_photo, monkeypatch):
    photo = stored_photo(listing, files.jpeg())
    calls = []

    def storage_down(p):
        calls.append(p)
        raise ConnectionError("storage unreachable")  # an OSError

    monkeypatch.setattr(services, "process_photo", storage_down)
    result = make_renditions.apply(args=[photo.pk])
    assert result.failed()
    assert len(calls) == make_renditions.max_retries + 1
    photo.refresh_from_db()
    assert photo.status == Photo.Status.FAILED and photo.failure_reason == GIVE_UP_REASON
