"""Capture, validation, permissions, preview/publish and the API of rotating views."""
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from marketplace.spins import services
from marketplace.spins.models import Spin, SpinSource
from tests.spins.captures import write_video

pytestmark = pytest.mark.django_db


def capture_url(listing):
    return reverse("spins:capture", kwargs={"listing_id": listing.pk})


def stored_files(media_root):
    """Every file in this test's public and private storages."""
    roots = [Path(media_root), Path(settings.PRIVATE_MEDIA_ROOT)]
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def test_seller_uploads_a_photo_burst(client, seller, listing, media_root, burst_uploads, queued,
                                      django_capture_on_commit_callbacks):
    client.force_login(seller)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(capture_url(listing), {"photos": burst_uploads()})

    assert response.status_code == 302
    spin = Spin.objects.get()
    assert (spin.status, spin.source_kind, spin.is_live) == ("pending", "photos", False)
    assert queued == [spin.pk]
    sources = list(spin.sources.all())
    assert [s.position for s in sources] == list(range(12))
    assert sources[0].original_name == "IMG_0000.png"
    assert all("IMG_" not in s.file.name for s in sources)  # uploader's names never reach storage
    assert len(stored_files(media_root)) == 12
    page = client.get(capture_url(listing))
    assert b"Waiting" in page.content and reverse("spins:status", args=[spin.pk]).encode() in page.content


@pytest.mark.parametrize("count", [2, 73])
def test_wrong_number_of_photos_is_refused_and_nothing_is_kept(client, seller, listing,
                                                               media_root, burst_uploads,
                                                               queued, count):
    client.force_login(seller)
    response = client.post(capture_url(listing), {"photos": burst_uploads(count)})

    assert response.status_code == 400
    assert f"Upload 8 to 72 photos taken all around the item (you sent {count})" in \
        response.content.decode()
    assert not Spin.objects.exists() and not stored_files(media_root) and not queued


def test_photos_that_are_not_photos_are_refused(client, seller, listing, media_root,
                                                burst_uploads, queued):
    client.force_login(seller)
    photos = burst_uploads()
    photos[3] = SimpleUploadedFile("IMG_0003.jpg", b"GIF89a not really", "image/jpeg")
    response = client.post(capture_url(listing), {"photos": photos})
    assert response.status_code == 400
    assert "IMG_0003.jpg is not a photo we can read" in response.content.decode()
    photos = burst_uploads()
    photos[5].name = "notes.txt"
    response = client.post(capture_url(listing), {"photos": photos})
    assert "notes.txt: use JPEG, PNG, WebP or HEIC photos" in response.content.decode()
    assert not Spin.objects.exists() and not stored_files(media_root) and not queued


def test_photos_with_too_many_pixels_are_refused_before_decoding(client, seller, listing,
                                                                  settings, media_root,
                                                                  burst_uploads, queued):
    settings.PHOTO_MAX_PIXELS = 100 * 100  # the burst's 192×192 views count as bombs here
    client.force_login(seller)
    response = client.post(capture_url(listing), {"photos": burst_uploads()})
    assert response.status_code == 400
    assert "IMG_0000.png has too many pixels" in response.content.decode()
    assert not Spin.objects.exists() and not stored_files(media_root) and not queued


def test_a_2_gb_capture_is_refused_from_its_size_alone(seller, listing, media_root, queued):
    video = SimpleUploadedFile("walk.mp4", b"\x00" * 16, "video/mp4")
    video.size = 2 * 1024 ** 3  # what Django reports for a 2 GB upload; nothing is read
    with pytest.raises(ValidationError, match="2,048 MB; the limit is 300 MB"):
        services.create_spin(listing=listing, user=seller, video=video)
    assert not Spin.objects.exists() and not stored_files(media_root) and not queued


def test_an_oversized_request_is_refused_before_its_body_is_read(client, seller, listing,
                                                                  media_root, settings, queued):
    settings.SPIN_UPLOAD_MAX_BYTES = 1000
    client.force_login(seller)
    big = SimpleUploadedFile("walk.mp4", b"\x00" * (3 * 2**20), "video/mp4")
    response = client.post(capture_url(listing), {"video": big})

    assert response.status_code == 413
    assert b"at most 0 MB" in response.content or b"too large" in response.content
    assert not Spin.objects.exists() and not stored_files(media_root)


@pytest.mark.parametrize("name, codec, angles, message", [
    ("clip.mov", "png", [0.0, 10.0], "video codec &#x27;png&#x27; is not supported"),
    ("empty.mp4", "libx264", [], "The video has no frames we could decode"),
    ("notes.txt", "libx264", [0.0], "Upload the video as MP4, MOV or WebM"),
])
def test_unusable_videos_are_refused_at_upload(client, seller, listing, media_root, queued,
                                               tmp_path, name, codec, angles, message):
    path = tmp_path / ("video.mov" if codec == "png" else "video.mp4")
    write_video(path, angles, codec=codec, size=64)
    client.force_login(seller)
    response = client.post(capture_url(listing), {
        "video": SimpleUploadedFile(name, path.read_bytes(), "video/mp4")})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Spin.objects.exists() and not stored_files(media_root) and not queued


def test_uploads_need_the_csrf_token(seller, listing, burst_uploads, media_root, queued):
    client = Client(enforce_csrf_checks=True)
    client.force_login(seller)
    response = client.post(capture_url(listing), {"photos": burst_uploads()})
    assert response.status_code == 403
    assert not Spin.objects.exists() and not stored_files(media_root)


def test_a_capture_that_cannot_be_stored_whole_leaves_no_files(seller, listing, media_root,
                                                               burst_uploads, queued,
                                                               monkeypatch):
    storage = SpinSource._meta.get_field("file").storage  # the private one
    real_save, saved = storage.save, []

    def save_then_fail(name, content, max_length=None):
        if len(saved) == 5:
            raise OSError("No space left on device")
        saved.append(real_save(name, content, max_length=max_length))
        return saved[-1]

    monkeypatch.setattr(storage, "save", save_then_fail)
    with pytest.raises(OSError, match="No space left"):
        services.create_spin(listing=listing, user=seller, photos=burst_uploads())
    assert len(saved) == 5  # these originals (GPS and all) were written, then taken back
    assert not Spin.objects.exists() and not stored_files(media_root) and not queued


def test_an_upload_succeeds_while_the_broker_is_down(client, seller, listing, media_root,
                                                    burst_uploads, monkeypatch,
                                                    django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    from worker.tasks.spins import process_spin

    def broker_down(spin_id):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(process_spin, "delay", broker_down)
    client.force_login(seller)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(capture_url(listing), {"photos": burst_uploads()})
    assert response.status_code == 302
    assert Spin.objects.get().status == "pending"  # queued again by the worker or beat


def test_video_and_photos_together_are_refused(seller, listing, burst_uploads, tmp_path,
                                               media_root, queued):
    write_video(tmp_path / "walk.mp4", [0.0, 10.0], size=64)
    video = SimpleUploadedFile("walk.mp4", (tmp_path / "walk.mp4").read_bytes(), "video/mp4")
    with pytest.raises(ValidationError, match="either one video or a set of photos"):
        services.create_spin(listing=listing, user=seller, video=video, photos=burst_uploads())
    assert not SpinSource.objects.exists()


def test_other_users_cannot_reach_a_sellers_spins(client, buyer, listing, finished_spin):
    spin = finished_spin()
    client.force_login(buyer)
    for url in [capture_url(listing), reverse("spins:status", args=[spin.pk]),
                reverse("spins:preview", args=[spin.pk])]:
        assert client.get(url).status_code == 404
    assert client.post(reverse("spins:publish", args=[spin.pk])).status_code == 404
    spin.refresh_from_db()
    assert not spin.is_live
    client.logout()
    assert client.get(capture_url(listing)).status_code == 302  # to the login page


def test_no_public_file_of_a_finished_spin_names_the_sellers_files(listing, finished_spin,
                                                                   media_root):
    spin = finished_spin()
    assert "IMG_20240501" in str(spin.manifest["source"])  # kept, privately, in the database
    public = [path for path in Path(media_root).rglob("*") if path.is_file()]
    assert len(public) == 2 * spin.frame_count + 1  # display and zoom frames, the sprite sheet
    assert not [path for path in public if b"IMG_20240501" in path.read_bytes()]


def test_status_endpoint_reports_progress(client, seller, listing, finished_spin):
    spin = finished_spin()
    client.force_login(seller)
    data = client.get(reverse("spins:status", args=[spin.pk])).json()
    assert data == {"id": spin.pk, "status": "done", "status_label": "Ready to publish",
                    "progress": 100, "stage": "done", "failure_reason": "", "is_live": False}


def test_buyers_see_only_the_published_spin_and_a_replacement_waits_for_publishing(
        client, seller, buyer, listing, finished_spin):
    first = finished_spin()
    detail = listing.get_absolute_url()
    client.force_login(buyer)
    assert b"spin-viewer" not in client.get(detail).content  # finished but not published

    client.force_login(seller)
    preview = client.get(reverse("spins:preview", args=[first.pk]))
    assert preview.status_code == 200 and b"spin-viewer" in preview.content
    assert b"Add a rotating view" in client.get(detail).content
    published = client.post(reverse("spins:publish", args=[first.pk]), follow=True)
    assert published.redirect_chain[-1][0] == detail  # the seller sees it where buyers will
    assert b"The rotating view is live" in published.content
    first.refresh_from_db()
    assert first.is_live and first.published_at

    second = finished_spin()
    client.force_login(buyer)
    page = client.get(detail).content.decode()
    assert "spin-viewer" in page and first.output_prefix in page
    assert second.output_prefix not in page  # the new one waits for its seller

    client.force_login(seller)
    client.post(reverse("spins:publish", args=[second.pk]))
    client.force_login(buyer)
    page = client.get(detail).content.decode()
    assert second.output_prefix in page and first.output_prefix not in page
    assert list(Spin.objects.filter(is_live=True)) == [second]


@pytest.mark.django_db(transaction=True)
def test_two_spins_published_at_once_take_turns(seller, listing):
    """Two publishes on one listing, each in its own connection: the second waits for the first
    to commit, then replaces it (it used to break `one_live_spin_per_listing`: a 500)."""
    from django.db import transaction

    from tests.locks import race

    first, second = (Spin.objects.create(listing=listing, source_kind="video", status="done")
                     for _ in range(2))

    def publish_first_and_hold(pause):
        with transaction.atomic():
            services.publish_spin(first, seller)
            pause()  # still uncommitted while the second publish runs into the lock

    errors = race(publish_first_and_hold, lambda: services.publish_spin(second, seller))
    assert errors == []
    assert list(Spin.objects.filter(is_live=True)) == [second]


def test_a_failed_spin_cannot_be_published(client, seller, listing):
    spin = Spin.objects.create(listing=listing, source_kind="video", status="failed",
                               failure_reason="Not enough distinct angles")
    client.force_login(seller)
    response = client.post(reverse("spins:publish", args=[spin.pk]), follow=True)
    assert b"Only a finished spin can be published" in response.content
    spin.refresh_from_db()
    assert not spin.is_live
    assert client.get(reverse("spins:preview", args=[spin.pk])).status_code == 404


def test_api_lists_live_spins_to_everyone_and_own_spins_to_the_seller(client, seller, listing,
                                                                      finished_spin):
    live, draft = finished_spin(), finished_spin()
    services.publish_spin(live, seller)
    url = reverse("spin-list") + f"?listing={listing.pk}"
    public = client.get(url).json()["results"]
    assert [s["id"] for s in public] == [live.pk]
    viewer = public[0]["viewer"]
    assert viewer["frame_count"] == 12 and len(viewer["frames"]) == 12
    assert "source" not in viewer["frames"][0]  # the seller's file names stay private
    client.force_login(seller)
    assert {s["id"] for s in client.get(url).json()["results"]} == {live.pk, draft.pk}
    listing.is_hidden = True
    listing.save()
    client.logout()
    assert client.get(url).json()["results"] == []


def test_spins_lost_by_the_queue_or_their_worker_are_queued_again(listing, queued):
    from datetime import timedelta

    from django.utils import timezone

    from worker.tasks.spins import requeue_stale_pending

    hour_ago = timezone.now() - timedelta(hours=1)
    stale = Spin.objects.create(listing=listing, source_kind="video")
    Spin.objects.filter(pk=stale.pk).update(created_at=hour_ago)
    Spin.objects.create(listing=listing, source_kind="video")  # fresh: still in the queue
    Spin.objects.create(listing=listing, source_kind="video", status="done")
    # Stitching for an hour: its worker died (the lease is 15 minutes); and one stitching now.
    abandoned = Spin.objects.create(listing=listing, source_kind="video", status="processing",
                                    claimed_at=hour_ago)
    Spin.objects.create(listing=listing, source_kind="video", status="processing",
                        claimed_at=timezone.now())
    assert requeue_stale_pending() == [stale.pk, abandoned.pk]
    assert queued == [stale.pk, abandoned.pk]
    # At worker start: every waiting spin, and the abandoned one.
    assert len(services.requeue_lost_spins()) == 3
