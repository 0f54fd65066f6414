"""Every kind of bad upload is refused with a clear message, through the web form and the API,
and leaves no Photo row and no file behind; good JPEG/PNG/WebP/HEIC uploads are stored."""
import pytest
from django.urls import reverse

import photo_files as files
from marketplace.photos.models import Photo
from marketplace.photos.services import process_photo
from marketplace.photos.uploads import PhotoUploadLimitHandler, limit_photo_upload, upload_refusal
from marketplace.photos.validation import looks_like_markup

BAD_UPLOADS = {
    "non-image": (lambda: ("notes.jpg", files.PDF), {}, "not an image we can read"),
    "truncated JPEG": (lambda: ("cut.jpg", files.truncated_jpeg()), {},
                       "damaged or incomplete"),
    "decompression bomb": (lambda: ("bomb.png", files.png_bomb()), {}, "megapixels"),
    "SVG named .jpg": (lambda: ("drawing.jpg", files.SVG), {}, "SVG"),
    "0-byte file": (lambda: ("empty.jpg", b""), {}, "the file is empty"),
    # The limits are lowered so that a 64×48 JPEG (~700 bytes) passes and a bigger one not.
    "over the size limit": (lambda: ("big.jpg", files.jpeg(640, 480)), {"PHOTO_MAX_BYTES": 1000},
                            "photos may be at most 1000"),
    "over the pixel limit": (lambda: ("wide.jpg", files.jpeg(100, 100)),
                             {"PHOTO_MAX_PIXELS": 4000},
                             "100×100 pixels; photos may have at most 0.004 megapixels"),
    "GIF": (lambda: ("anim.gif", files.gif()), {}, "GIF images are not accepted"),
}
GOOD_UPLOADS = {
    "JPEG": ("a.jpg", files.jpeg, "image/jpeg"),
    "PNG": ("b.png", files.png, "image/png"),
    "WebP": ("c.webp", files.webp, "image/webp"),
    "iPhone HEIC": ("IMG_0001.HEIC", files.heic, "image/heic"),
}


def bad_upload(case, settings) -> tuple[str, bytes, str]:
    """(file name, content, expected message) of a case, with its settings applied."""
    make, overrides, message = BAD_UPLOADS[case]
    for setting, value in overrides.items():
        setattr(settings, setting, value)
    return (*make(), message)


def post_web(client, listing, uploads):
    return client.post(reverse("photos:manage", args=[listing.pk]), {"images": uploads})


def post_api(api, listing, uploads):
    return api.post(reverse("listing-photos-list", args=[listing.pk]), {"images": uploads},
                    format="multipart")


def refused(via, seller_client, seller_api, listing, uploads) -> list[str]:
    """Upload through the photo manager ("web") or the API ("api"), expect a 400 and return
    the upload's error messages."""
    if via == "web":
        response = post_web(seller_client, listing, uploads)
        errors = response.context["form"].errors["images"]
    else:
        response = post_api(seller_api, listing, uploads)
        errors = response.json()["images"]
    assert response.status_code == 400
    return list(errors)


@pytest.mark.parametrize("case", BAD_UPLOADS, ids=list(BAD_UPLOADS))
def test_web_form_refuses_bad_upload_and_stores_nothing(case, seller_client, listing,
                                                        media_root, settings):
    name, data, message = bad_upload(case, settings)
    response = post_web(seller_client, listing, [files.upload(name, data)])
    assert response.status_code == 400
    errors = response.context["form"].errors["images"]
    assert any(name in error and message in error for error in errors), errors
    assert message in response.content.decode()
    assert not Photo.objects.exists()
    assert files.media_files(media_root) == {}


@pytest.mark.parametrize("case", BAD_UPLOADS, ids=list(BAD_UPLOADS))
def test_api_refuses_bad_upload_with_a_per_file_error(case, seller_api, listing, media_root,
                                                      settings):
    name, data, message = bad_upload(case, settings)
    good = files.upload("fine.jpg", files.jpeg())
    response = post_api(seller_api, listing, [good, files.upload(name, data)])
    assert response.status_code == 400
    errors = response.json()["images"]
    assert len(errors) == 2, errors  # the batch, then only the bad file is named
    assert errors[0] == ("Nothing was saved: 1 of the 2 files cannot be used. Remove or replace "
                         "them and upload again.")
    assert name in errors[1] and message in errors[1]
    assert not Photo.objects.exists()  # the good file of the batch was not kept either
    assert files.media_files(media_root) == {}


def test_one_bad_file_refuses_the_whole_web_batch_naming_each_bad_file(
        seller_client, listing, media_root):
    response = post_web(seller_client, listing, [
        files.upload("good.jpg", files.jpeg()), files.upload("x.svg", files.SVG),
        files.upload("empty.png", b"")])
    errors = response.context["form"].errors["images"]
    assert len(errors) == 3 and "x.svg" in errors[1] and "empty.png" in errors[2]
    assert errors[0].startswith("Nothing was saved: 2 of the 3 files cannot be used.")
    assert "Nothing was saved: 2 of the 3 files" in response.content.decode()
    assert not Photo.objects.exists()
    assert files.media_files(media_root) == {}


@pytest.mark.parametrize("via", ["web", "api"])
def test_too_many_photos_are_refused(via, seller_client, seller_api, listing, settings,
                                     media_root, stored_photo):
    settings.PHOTOS_PER_LISTING = 2
    stored_photo(listing, files.jpeg())
    before = files.media_files(media_root)
    uploads = [files.upload("1.jpg", files.jpeg()), files.upload("2.jpg", files.jpeg())]
    if via == "web":
        response = post_web(seller_client, listing, uploads)
        text = " ".join(response.context["form"].errors["images"])
    else:
        response = post_api(seller_api, listing, uploads)
        text = " ".join(response.json()["images"])
    assert response.status_code == 400
    assert "at most 2 photos" in text and "you can add 1 more" in text
    assert listing.photos.count() == 1
    assert files.media_files(media_root) == before


def test_web_form_without_files_asks_for_one(seller_client, listing):
    response = post_web(seller_client, listing, [])
    assert response.status_code == 400
    assert "Choose at least one photo" in response.content.decode()


@pytest.mark.parametrize("case", GOOD_UPLOADS, ids=list(GOOD_UPLOADS))
def test_web_form_accepts_each_supported_format(case, seller_client, listing, media_root,
                                                django_capture_on_commit_callbacks):
    name, make, content_type = GOOD_UPLOADS[case]
    with django_capture_on_commit_callbacks() as callbacks:
        response = post_web(seller_client, listing, [files.upload(name, make(), content_type)])
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert photo.status == Photo.Status.PENDING and photo.listing == listing
    assert photo.original.read() == make()
    assert name not in photo.original.name  # the uploader's file name is never kept
    # The rendition task and the search app's vision task are queued once the upload is committed.
    assert len(callbacks) == 2


@pytest.mark.parametrize("width, height", [(1, 1), (5, 5), (7, 100)])
def test_a_jpeg_under_8_px_a_side_is_accepted_and_processed(width, height, seller_client,
                                                            seller_api, listing, media_root):
    """The 1/8-scale check once asked Pillow for a 0-px draft: ZeroDivisionError, a 500."""
    web = post_web(seller_client, listing, [files.upload("tiny.jpg", files.jpeg(width, height))])
    api = post_api(seller_api, listing, [files.upload("tiny.jpg", files.jpeg(width, height))])
    assert (web.status_code, api.status_code) == (302, 201)
    for photo in listing.photos.all():
        process_photo(photo)
        assert photo.status == Photo.Status.DONE and (photo.width, photo.height) == (width, height)


def test_a_multi_picture_jpeg_from_a_phone_is_accepted_and_processed(
        seller_client, listing, media_root):
    response = post_web(seller_client, listing, [files.upload("DSC_0001.JPG", files.mpo())])
    assert response.status_code == 302
    photo = Photo.objects.get()
    process_photo(photo)
    photo.refresh_from_db()
    assert photo.status == Photo.Status.DONE and (photo.width, photo.height) == (64, 48)


def test_api_uploads_several_photos_at_once_in_order(seller_api, listing, media_root):
    response = post_api(seller_api, listing, [
        files.upload(name, make(), content_type) for name, make, content_type in
        GOOD_UPLOADS.values()])
    assert response.status_code == 201
    body = response.json()
    assert [photo["position"] for photo in body] == [1, 2, 3, 4]
    assert all(photo["status"] == "pending" and photo["display_url"] is None for photo in body)
    assert "original" not in body[0]
    assert len(files.media_files(media_root)) == 4


@pytest.mark.parametrize("head, markup", [
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", True),
    (b"\xef\xbb\xbf  \n<?xml version='1.0'?>", True),
    (b"\xff\xd8\xff\xe0", False),
])
def test_markup_sniffing(head, markup):
    assert looks_like_markup(head) is markup


def test_upload_is_kept_when_the_broker_is_down(seller_api, listing, media_root, monkeypatch,
                                                django_capture_on_commit_callbacks):
    """The photo stays pending; a starting worker queues it again (see the pipeline tests)."""
    from kombu.exceptions import OperationalError

    from marketplace.photos import services

    def broker_down(photo_id):
        raise OperationalError("Error 111 connecting to redis")

    monkeypatch.setattr(services.make_renditions_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_api(seller_api, listing, [files.upload("a.jpg", files.jpeg())])
    assert len(callbacks) == 2  # renditions and vision, both robust
    assert response.status_code == 201
    assert Photo.objects.get().status == Photo.Status.PENDING


def test_an_oversized_file_stops_being_buffered_at_the_limit(settings):

    settings.PHOTO_MAX_BYTES = 100
    handler = PhotoUploadLimitHandler()
    handler.new_file("images", "huge.jpg", "image/jpeg", None)
    passed_on = [handler.receive_data_chunk(b"x" * 64, start) for start in range(0, 256, 64)]
    assert passed_on == [b"x" * 64, None, None, None]  # the next handler stores 64 bytes only
    upload = handler.file_complete(256)
    assert (upload.name, upload.size, upload.read()) == ("huge.jpg", 256, b"")


# Three 707-byte JPEGs against at most 2 files, or at most 1000 bytes, per request.
REQUEST_LIMITS = {
    "files": ({"PHOTOS_PER_LISTING": 2}, 2, "Upload at most 2 photos at once"),
    "bytes": ({"PHOTO_UPLOAD_MAX_BYTES": 1000}, 1, "at most 1000\xa0bytes of photos"),
}


@pytest.mark.parametrize("limit", REQUEST_LIMITS)
def test_nothing_past_the_request_limits_is_buffered(limit, settings, rf):
    overrides, kept, message = REQUEST_LIMITS[limit]
    for setting, value in overrides.items():
        setattr(settings, setting, value)
    request = rf.post("/", {"images": [files.upload(f"{n}.jpg", files.jpeg()) for n in range(3)]})
    limit_photo_upload(request)
    assert len(request.FILES.getlist("images")) == kept  # the rest never reached a temp file
    assert message in upload_refusal(request)


@pytest.mark.parametrize("via", ["web", "api"])
@pytest.mark.parametrize("limit", REQUEST_LIMITS)
def test_an_upload_over_the_request_limits_is_refused_whole(via, limit, seller_client,
                                                            seller_api, listing, settings,
                                                            media_root):
    overrides, _, message = REQUEST_LIMITS[limit]
    for setting, value in overrides.items():
        setattr(settings, setting, value)
    uploads = [files.upload(f"{n}.jpg", files.jpeg()) for n in range(3)]
    errors = refused(via, seller_client, seller_api, listing, uploads)
    assert len(errors) == 1 and message in errors[0] and "Nothing was saved" in errors[0]
    assert not Photo.objects.exists()
    assert files.media_files(media_root) == {}


def test_more_files_than_a_listing_takes_get_the_photo_message_not_djangos(
        seller_api, listing, settings, media_root):
    """DATA_UPLOAD_MAX_NUMBER_FILES leaves room for the photo handler to refuse first."""
    count = settings.PHOTOS_PER_LISTING + 1
    response = post_api(seller_api, listing,
                        [files.upload(f"{n}.jpg", files.jpeg()) for n in range(count)])
    assert response.status_code == 400
    assert f"Upload at most {settings.PHOTOS_PER_LISTING} photos" in response.json()["images"][0]
    assert not Photo.objects.exists()


@pytest.mark.parametrize("via", ["web", "api"])
def test_refusal_of_a_big_file_names_its_real_size(via, seller_client, seller_api, listing,
                                                   settings, media_root):
    """One file over the per-file limit is refused as too large, even when it is bigger than
    a whole upload may be: its bytes past the limit are dropped, not counted in the request."""
    settings.PHOTO_MAX_BYTES, settings.PHOTO_UPLOAD_MAX_BYTES = 1000, 2000
    big = [files.upload("big.jpg", bytes(3_000_000))]
    errors = refused(via, seller_client, seller_api, listing, big)
    assert "the file is 2.9\xa0MB; photos may be at most 1000\xa0bytes" in " ".join(errors)
    assert "choose fewer" not in " ".join(errors)
    assert files.media_files(media_root) == {}


def test_upload_form_still_needs_the_csrf_token(listing, seller):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(seller)
    response = post_web(client, listing, [files.upload("a.jpg", files.jpeg())])
    assert response.status_code == 403
    assert not Photo.objects.exists()
