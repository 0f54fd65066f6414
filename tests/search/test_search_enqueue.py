"""New photos enqueue one vision task per listing per transaction, on the real Redis broker."""
import base64
import json

import pytest
import redis
from django.conf import settings
from django.db import transaction

from marketplace.photos.models import Photo
from tests.search.helpers import bare_photo



@pytest.fixture
def vision_queue():
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("vision")

    def queued() -> list[list[int]]:
        """The photo ids of each task waiting in the `vision` queue."""
        batches = []
        for raw in broker.lrange("vision", 0, -1):
            message = json.loads(raw)
            assert message["headers"]["task"] == "worker.vision.embed_photos"
            args, _, _ = json.loads(base64.b64decode(message["body"]))
            batches.append(args[0])
        return sorted(batches)

    yield queued
    broker.delete("vision")


def test_photos_of_one_transaction_make_one_task_per_listing(
        transactional_db, make_listing, vision_queue):
    coat, lamp = make_listing("Coat"), make_listing("Lamp", "lighting")
    with transaction.atomic():
        coat_photos = [bare_photo(coat).pk for _ in range(3)]
        lamp_photo = bare_photo(lamp).pk
        assert vision_queue() == []  # nothing before the commit
    assert vision_queue() == sorted([coat_photos, [lamp_photo]])


def test_rolled_back_photos_are_never_enqueued(transactional_db, make_listing, vision_queue):
    coat = make_listing("Coat")
    with pytest.raises(RuntimeError), transaction.atomic():
        bare_photo(coat)
        raise RuntimeError("upload failed")
    with transaction.atomic():
        kept = bare_photo(coat).pk
    assert vision_queue() == [[kept]]


def test_saving_an_existing_photo_enqueues_nothing(transactional_db, make_listing, vision_queue):
    photo = bare_photo(make_listing("Coat"))
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("vision")
    photo.status = Photo.Status.DONE
    photo.save()
    assert vision_queue() == []
