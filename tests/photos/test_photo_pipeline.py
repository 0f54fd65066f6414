"""Upload → real Celery worker → renditions, including failures and lost queue entries."""
import time

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

import photo_files as files
from marketplace.photos.models import Photo

pytestmark = pytest.mark.worker


def wait_until_settled(worker, photo_ids, timeout=60):
    """The photos once none is pending any more (fails the test after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        photos = list(Photo.objects.filter(pk__in=photo_ids).order_by("position"))
        if all(photo.status != Photo.Status.PENDING for photo in photos):
            return photos
        time.sleep(0.2)
    pytest.fail(f"Photos still pending after {timeout}s; worker log:\n"
                f"{worker.log_path.read_text()}")


def upload_through_api(api, listing, uploads):
    response = api.post(reverse("listing-photos-list", args=[listing.pk]), {"images": uploads},
                        format="multipart")
    assert response.status_code == 201, response.content
    return [photo["id"] for photo in response.json()]


def test_uploaded_photos_are_processed_by_the_worker(photo_worker, seller_api, listing):
    worker = photo_worker()
    ids = upload_through_api(seller_api, listing, [
        files.upload("a.jpg", files.jpeg_with_private_metadata()),
        files.upload("b.heic", files.heic(), "image/heic")])
    photos = wait_until_settled(worker, ids)
    assert [photo.status for photo in photos] == ["done", "done"]
    assert (photos[0].width, photos[0].height) == (48, 64)  # EXIF orientation applied
    for photo in photos:
        assert photo.display.storage.exists(photo.display.name)
        assert photo.thumbnail.storage.exists(photo.thumbnail.name)
    listed = seller_api.get(reverse("listing-photos-list", args=[listing.pk])).json()
    assert all(item["status_label"] == "Ready" and item["display_url"] for item in listed)


def test_a_photo_that_breaks_after_upload_fails_alone(photo_worker, seller_api, listing):
    ids = upload_through_api(seller_api, listing, [
        files.upload(f"{n}.jpg", files.jpeg()) for n in range(3)])
    broken = Photo.objects.get(pk=ids[1])
    with broken.original.storage.open(broken.original.name, "wb") as handle:
        handle.write(files.truncated_jpeg())
    worker = photo_worker()  # only now does anyone take the queued tasks
    photos = wait_until_settled(worker, ids)
    assert [photo.status for photo in photos] == ["done", "failed", "done"]
    assert photos[1].failure_reason == "The image file is damaged and could not be decoded."
    assert not photos[1].display


def test_pending_photos_with_no_queued_task_are_requeued_when_a_worker_starts(
        photo_worker, listing, stored_photo):
    """As after a Redis restart: rows say pending, but the queue has nothing for them."""
    ids = [stored_photo(listing, files.jpeg(), position).pk for position in (1, 2)]
    worker = photo_worker()
    assert [photo.status for photo in wait_until_settled(worker, ids)] == ["done", "done"]


def test_requeue_command_queues_one_task_per_pending_photo(transactional_db, listing,
                                                           stored_photo, media_root):
    pending = [stored_photo(listing, files.jpeg(), position) for position in (1, 2)]
    Photo.objects.filter(pk=pending[1].pk).update(status=Photo.Status.DONE)
    queue = redis.Redis.from_url(settings.REDIS_URL)
    before = queue.llen("default")
    call_command("requeue_pending_photos")
    assert queue.llen("default") - before == 1
