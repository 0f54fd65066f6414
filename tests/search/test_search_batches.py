"""Engine batches filled up with other listings' pending photos (real engine, this process)."""
import threading

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.db import OperationalError, connection, transaction

from marketplace.photos.models import Photo
from marketplace.search.engine import get_engine
from marketplace.search.models import AnalysisAttempt, ListingVector, PhotoAnalysis
from marketplace.search import services
from marketplace.search.services import analyse_photos
from tests.locks import race
from tests.search.helpers import bare_photo, jpeg_bytes

BROKEN_JPEG = b"\xff\xd8\xff broken jpeg"


def add_photos(make_photo, listing, count: int) -> list[Photo]:
    return [make_photo(listing, jpeg_bytes((40 * i, 90, 160)), position=i) for i in range(count)]


def analysed_ids() -> list[int]:
    return sorted(PhotoAnalysis.objects.values_list("photo_id", flat=True))


def ids(photos) -> list[int]:
    return sorted(photo.pk for photo in photos)


def test_a_task_fills_its_batch_with_other_listings_photos_and_stores_each_once(
        make_listing, make_photo):
    coat, lamp = make_listing("Coat"), make_listing("Lamp", "lighting")
    coat_photos, lamp_photos = add_photos(make_photo, coat, 3), add_photos(make_photo, lamp, 3)
    engine = get_engine()

    assert analyse_photos(ids(coat_photos), engine, batch_size=4, fill_from_pending=True) == 4
    assert analysed_ids() == ids(coat_photos + lamp_photos[:1])
    assert set(ListingVector.objects.values_list("listing_id", flat=True)) == {coat.pk, lamp.pk}
    # The lamp's own task finds only the rest; a redelivered coat task finds nothing.
    assert analyse_photos(ids(lamp_photos), engine, batch_size=4, fill_from_pending=True) == 2
    assert analyse_photos(ids(coat_photos), engine, batch_size=4, fill_from_pending=True) == 0
    assert analysed_ids() == ids(coat_photos + lamp_photos)  # once each

    embeddings = np.array([a.embedding for a in PhotoAnalysis.objects.filter(listing=lamp)])
    mean = embeddings.mean(axis=0)
    lamp_vector = ListingVector.objects.get(listing=lamp).embedding
    assert np.allclose(lamp_vector, mean / np.linalg.norm(mean), atol=1e-5)


def test_without_filling_up_only_the_given_photos_are_analysed(make_listing, make_photo):
    coat, lamp = make_listing("Coat"), make_listing("Lamp", "lighting")
    coat_photos = add_photos(make_photo, coat, 2)
    add_photos(make_photo, lamp, 2)
    assert analyse_photos(ids(coat_photos), get_engine(), batch_size=4) == 2
    assert analysed_ids() == ids(coat_photos)


def test_failing_photos_of_another_listing_fail_alone(make_listing, make_photo):
    coat, lamp = make_listing("Coat"), make_listing("Lamp", "lighting")
    coat_photos = add_photos(make_photo, coat, 2)
    broken, missing = make_photo(lamp, BROKEN_JPEG), bare_photo(lamp)
    good = make_photo(lamp, jpeg_bytes((30, 200, 60)))

    assert analyse_photos(ids(coat_photos), get_engine(), batch_size=8,
                          fill_from_pending=True) == 5
    by_photo = {a.photo_id: a for a in PhotoAnalysis.objects.all()}
    assert "not a readable image" in by_photo[broken.pk].failure_reason
    assert "original file of this photo is missing" in by_photo[missing.pk].failure_reason
    assert {by_photo[p.pk].status for p in (broken, missing)} == {"failed"}
    assert {by_photo[p.pk].status for p in coat_photos + [good]} == {"done"}


def test_filling_up_skips_photos_another_worker_holds(transactional_db, make_listing, make_photo):
    coat, lamp = make_listing("Coat"), make_listing("Lamp", "lighting")
    coat_photos, lamp_photos = add_photos(make_photo, coat, 1), add_photos(make_photo, lamp, 2)
    engine = get_engine()
    held, release = threading.Event(), threading.Event()

    def other_worker():
        """Holds the first lamp photo's row lock, as a worker analysing it would."""
        try:
            with transaction.atomic():
                list(Photo.objects.filter(pk=lamp_photos[0].pk).select_for_update())
                held.set()
                release.wait(60)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert held.wait(30)
        assert analyse_photos(ids(coat_photos), engine, batch_size=4, fill_from_pending=True) == 2
    finally:
        release.set()
        thread.join()
    assert analysed_ids() == ids(coat_photos + lamp_photos[1:])


def test_a_task_waits_for_its_own_photos_locked_for_a_moment(transactional_db, make_listing,
                                                            make_photo):
    """The photos app locks a photo row briefly (renditions, reorder, move, delete): the task
    waits for it instead of leaving the photo to `reconcile_pending` minutes later."""
    photos = add_photos(make_photo, make_listing("Coat"), 2)
    engine, counted = get_engine(), []

    def renditions(pause):
        with transaction.atomic():
            list(Photo.objects.filter(pk=photos[0].pk).select_for_update())
            pause()

    def task():
        counted.append(analyse_photos(ids(photos), engine, batch_size=4, fill_from_pending=True))

    assert race(renditions, task) == []
    assert counted == [2]
    assert analysed_ids() == ids(photos)


def test_a_database_error_storing_a_batch_takes_its_attempts_back(make_listing, make_photo,
                                                                   settings, monkeypatch):
    """Retried transient errors while storing do not count as attempts of the model: the photos
    are analysed once the database is back, not set aside after SEARCH_MAX_ATTEMPTS."""
    from worker.tasks.vision import embed_photos

    settings.SEARCH_MAX_ATTEMPTS = 3
    photos = add_photos(make_photo, make_listing("Coat"), 2)
    real_record, failures = services.record_results, []

    def record_after_three_failures(*args):
        if len(failures) < 3:
            failures.append(args)
            raise OperationalError("server closed the connection unexpectedly")
        return real_record(*args)

    monkeypatch.setattr(services, "record_results", record_after_three_failures)
    assert embed_photos.apply(args=[ids(photos)]).successful()
    assert len(failures) == 3
    assert set(PhotoAnalysis.objects.values_list("status", flat=True)) == {"done"}
    assert analysed_ids() == ids(photos)
    assert not AnalysisAttempt.objects.exists()


def test_a_storage_error_is_retried_not_stored_as_a_missing_file(make_listing, make_photo,
                                                                 monkeypatch):
    from worker.tasks.vision import embed_photos

    assert OSError in embed_photos.autoretry_for
    photos = add_photos(make_photo, make_listing("Coat"), 2)
    storage = Photo._meta.get_field("original").storage
    real_open, refused = storage.open, []

    def open_unless_first(name, mode="rb"):
        if not refused:
            refused.append(name)
            raise PermissionError(13, "Permission denied", name)  # e.g. a storage hiccup
        return real_open(name, mode)

    monkeypatch.setattr(storage, "open", open_unless_first)
    assert embed_photos.apply(args=[ids(photos)]).successful()
    assert refused  # the first run failed on it, the retry read it
    assert analysed_ids() == ids(photos)
    assert set(PhotoAnalysis.objects.values_list("status", flat=True)) == {"done"}


class WorkerDied(BaseException):
    """What the worker's death looks like from here: nothing after it runs, nothing commits."""


class DyingEngine:
    """The real engine, but the worker dies on any batch holding an image ending in `poison`."""

    def __init__(self, engine, poison: bytes):
        self.engine, self.poison, self.model_version = engine, poison, engine.model_version

    def run(self, images):
        if any(image.endswith(self.poison) for image in images):
            raise WorkerDied
        return self.engine.run(images)


def test_a_photo_that_kills_the_worker_is_tried_alone_then_set_aside(make_listing, make_photo,
                                                                     settings):
    settings.SEARCH_MAX_ATTEMPTS = 3
    coat, lamp = make_listing("Coat"), make_listing("Lamp", "lighting")
    coat_photos = add_photos(make_photo, coat, 3)
    poison = coat_photos[1]
    poison.original.save("poisoned", ContentFile(jpeg_bytes((1, 2, 3)) + b"poison"))
    engine = DyingEngine(get_engine(), b"poison")

    with pytest.raises(WorkerDied):  # the upload's task: the poison takes the batch down
        analyse_photos(ids(coat_photos), engine, batch_size=4, fill_from_pending=True)
    assert analysed_ids() == []
    counts = dict(AnalysisAttempt.objects.values_list("photo_id", "count"))
    assert counts == {photo.pk: 1 for photo in coat_photos}  # committed before the model ran

    # Another listing's task is not taken down: photos tried before never fill a batch.
    lamp_photos = add_photos(make_photo, lamp, 2)
    assert analyse_photos(ids(lamp_photos), engine, batch_size=8, fill_from_pending=True) == 2

    # The redelivered task tries each photo alone: the innocent ones are analysed.
    for attempts in (2, 3):
        with pytest.raises(WorkerDied):
            analyse_photos(ids(coat_photos), engine, batch_size=4, fill_from_pending=True)
        assert AnalysisAttempt.objects.get(photo=poison).count == attempts
    assert analysed_ids() == ids([coat_photos[0]] + lamp_photos)
    assert analyse_photos(ids(coat_photos), engine, batch_size=4, fill_from_pending=True) == 2

    by_photo = {a.photo_id: a for a in PhotoAnalysis.objects.all()}
    assert by_photo[poison.pk].status == "failed"
    assert "stopped working on this photo 3 times" in by_photo[poison.pk].failure_reason
    assert {by_photo[p.pk].status for p in coat_photos if p != poison} == {"done"}
    assert not AnalysisAttempt.objects.exists()  # every attempt ended
