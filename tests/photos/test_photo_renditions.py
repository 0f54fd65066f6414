"""process_photo: upright, metadata-free renditions; failures explained; idempotent."""
import hashlib
import io

from PIL import Image

import photo_files as files
from marketplace.photos.models import Photo
from marketplace.photos.services import process_photo

PRIVATE_MARKERS = [b"Exif", b"PhoneMaker", b"xmpmeta", b"GPSLatitude", b"ICC_PROFILE"]


def opened(field) -> Image.Image:
    with field.open("rb") as handle:
        return Image.open(io.BytesIO(handle.read()))


def test_exif_orientation_is_applied(listing, stored_photo):
    photo = stored_photo(listing, files.jpeg_with_private_metadata(orientation=6))
    process_photo(photo)
    photo.refresh_from_db()
    assert photo.status == Photo.Status.DONE
    # Stored 64×48 with "rotate 90° clockwise": upright it is 48 wide and 64 tall.
    assert (photo.width, photo.height) == (48, 64)
    display = opened(photo.display).convert("RGB")
    assert display.size == (48, 64)
    red, blue = display.getpixel((24, 4)), display.getpixel((24, 60))
    assert red[0] > 200 and red[2] < 60  # the stored image's left (red) half is now on top
    assert blue[2] > 200 and blue[0] < 60
    thumbnail = opened(photo.thumbnail)
    assert thumbnail.size == (48, 48)  # square-cropped, never upscaled


def test_no_exif_gps_xmp_or_profile_survives_in_served_copies(listing, stored_photo):
    original = files.jpeg_with_private_metadata()
    assert all(marker in original for marker in PRIVATE_MARKERS)  # the test input carries them
    photo = stored_photo(listing, original)
    process_photo(photo)
    photo.refresh_from_db()
    for field in (photo.display, photo.thumbnail):
        image = opened(field)
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
        with field.open("rb") as handle:
            data = handle.read()
        assert not [marker for marker in PRIVATE_MARKERS if marker in data]


def test_display_is_capped_at_1600_pixels_and_thumbnail_at_400(listing, stored_photo):
    photo = stored_photo(listing, files.jpeg(2000, 1000))
    process_photo(photo)
    photo.refresh_from_db()
    assert opened(photo.display).size == (1600, 800)
    assert opened(photo.thumbnail).size == (400, 400)
    assert (photo.width, photo.height) == (2000, 1000)


def test_transparent_png_and_heic_are_processed(listing, stored_photo):
    for position, data in enumerate([files.png(), files.heic(), files.webp()], start=1):
        photo = stored_photo(listing, data, position)
        process_photo(photo)
        photo.refresh_from_db()
        assert photo.status == Photo.Status.DONE, photo.failure_reason
        assert opened(photo.display).mode == "RGB"


def test_sha256_of_the_original_is_recorded(listing, stored_photo):
    data = files.jpeg()
    photo = stored_photo(listing, data)
    process_photo(photo)
    photo.refresh_from_db()
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert photo.processed_at is not None and photo.failure_reason == ""


def snapshot(photo: Photo, media_root):
    photo.refresh_from_db()
    row = {field.name: getattr(photo, field.attname) for field in Photo._meta.concrete_fields}
    return row, files.media_files(media_root)


def test_processing_twice_changes_nothing(listing, stored_photo, media_root):
    photo = stored_photo(listing, files.jpeg_with_private_metadata())
    process_photo(photo)
    first = snapshot(photo, media_root)
    assert len(first[1]) == 3  # original, display, thumbnail
    process_photo(Photo.objects.get(pk=photo.pk))
    assert snapshot(photo, media_root) == first


def test_rerun_after_a_crash_rewrites_the_same_files(listing, stored_photo, media_root):
    """A worker that died after writing the renditions but before recording them."""
    photo = stored_photo(listing, files.jpeg())
    process_photo(photo)
    row, stored = snapshot(photo, media_root)
    Photo.objects.filter(pk=photo.pk).update(status=Photo.Status.PENDING, display="",
                                             thumbnail="")
    process_photo(Photo.objects.get(pk=photo.pk))
    again_row, again_stored = snapshot(photo, media_root)
    assert again_stored == stored  # same names, same bytes, nothing added
    assert (again_row["display"], again_row["thumbnail"]) == (row["display"], row["thumbnail"])


def test_renditions_do_not_reveal_where_the_original_is(listing, stored_photo):
    photo = stored_photo(listing, files.jpeg())
    process_photo(photo)
    photo.refresh_from_db()
    secret_folder = photo.original.name.rsplit("/", 2)[-2]
    assert secret_folder not in photo.display.url and secret_folder not in photo.thumbnail.url


def test_a_damaged_original_fails_with_a_readable_reason(listing, stored_photo, media_root):
    photo = stored_photo(listing, files.truncated_jpeg())
    process_photo(photo)
    photo.refresh_from_db()
    assert photo.status == Photo.Status.FAILED
    assert photo.failure_reason == "The image file is damaged and could not be decoded."
    assert not photo.display and not photo.thumbnail
    assert len(files.media_files(media_root)) == 1  # only the original


def test_a_missing_original_fails_with_a_readable_reason(listing, stored_photo):
    photo = stored_photo(listing, files.jpeg())
    photo.original.storage.delete(photo.original.name)
    process_photo(photo)
    photo.refresh_from_db()
    assert photo.status == Photo.Status.FAILED
    assert "missing" in photo.failure_reason


def test_a_photo_deleted_while_processing_leaves_no_files(listing, stored_photo, media_root):
    photo = stored_photo(listing, files.jpeg())
    original = photo.original.name
    Photo.objects.filter(pk=photo.pk).delete()
    process_photo(photo)  # the in-memory copy the worker loaded before the delete
    assert list(files.media_files(media_root)) == [original]


def test_scaled_jpeg_decode_keeps_full_size_and_matches_a_full_decode():
    from PIL import ImageChops, ImageStat

    from marketplace.photos.renditions import RenditionConfig, make_renditions

    data = files.jpeg_with_private_metadata()  # 64×48, EXIF-rotated
    scaled = make_renditions(data, 10**6, RenditionConfig(display_long_side=12))
    full = make_renditions(data, 10**6, RenditionConfig(display_long_side=12,
                                                        scaled_jpeg_decode=False))
    assert (scaled.width, scaled.height) == (full.width, full.height) == (48, 64)
    one, other = (Image.open(io.BytesIO(r.display)).convert("RGB") for r in (scaled, full))
    assert one.size == other.size == (9, 12)
    assert max(ImageStat.Stat(ImageChops.difference(one, other)).mean) < 12


def test_a_photo_another_worker_is_processing_is_done_once(transactional_db, listing,
                                                          stored_photo, media_root):
    """Two deliveries of the same task (redelivery, requeue at start) never work at once: the
    second waits for the first's lock, then finds the photo done and writes nothing."""
    from django.db import transaction

    from marketplace.photos.services import make_photo_renditions
    from tests.locks import race

    photo = stored_photo(listing, files.jpeg())

    def first_delivery(pause):
        with transaction.atomic():
            make_photo_renditions(Photo.objects.select_for_update().get(pk=photo.pk))
            pause()

    assert race(first_delivery, lambda: process_photo(photo)) == []
    done = Photo.objects.get(pk=photo.pk)
    assert photo.status == done.status == Photo.Status.DONE
    assert photo.processed_at == done.processed_at  # the second delivery redid nothing
    assert sorted(files.media_files(media_root)) == sorted(
        [done.original.name, done.display.name, done.thumbnail.name])


def test_a_photo_the_vision_worker_holds_still_gets_its_renditions(transactional_db, listing,
                                                                   stored_photo):
    """The vision worker locks a batch's photo rows while the model runs; the renditions wait
    for it instead of skipping the photo (which then showed "Processing…" until the periodic
    requeue, minutes later)."""
    from django.db import transaction

    from tests.locks import race

    photo = stored_photo(listing, files.jpeg())

    def vision_worker(pause):
        with transaction.atomic():
            Photo.objects.select_for_update(no_key=True).get(pk=photo.pk)
            pause()

    assert race(vision_worker, lambda: process_photo(photo)) == []
    assert Photo.objects.get(pk=photo.pk).status == Photo.Status.DONE
