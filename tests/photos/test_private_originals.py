"""Originals (with their EXIF/GPS) live in the private storage, which no URL reaches."""
import importlib

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse

import photo_files as files
from marketplace.photos.models import Photo
from marketplace.photos.services import process_photo


def test_originals_are_never_served_renditions_are(settings, client, seller_api, listing,
                                                   media_root):
    settings.ROOT_URLCONF = "tests.photos.urls_serving_media"
    original_bytes = files.jpeg_with_private_metadata()
    response = seller_api.post(reverse("listing-photos-list", args=[listing.pk]),
                               {"images": [files.upload("me.jpg", original_bytes)]},
                               format="multipart")
    assert response.status_code == 201, response.content
    photo = Photo.objects.get()
    process_photo(photo)
    assert photo.status == Photo.Status.DONE

    private_root = settings.PRIVATE_MEDIA_ROOT
    assert (private_root / photo.original.name).read_bytes() == original_bytes
    assert photo.original.name not in files.files_under(media_root)
    assert original_bytes not in files.files_under(media_root).values()

    media_url = "/" + settings.MEDIA_URL.lstrip("/")
    for rendition in (photo.display, photo.thumbnail):
        served = client.get(media_url + rendition.name)
        assert served.status_code == 200
        assert b"".join(served.streaming_content) == files.media_files(media_root)[rendition.name]
        served.close()
    assert client.get(media_url + photo.original.name).status_code == 404
    escape = client.get(f"{media_url}../{private_root.name}/{photo.original.name}")
    assert escape.status_code in (400, 404)


def test_private_storage_is_not_under_the_public_one():
    public = settings.MEDIA_ROOT.resolve()
    private = settings.PRIVATE_MEDIA_ROOT.resolve()
    assert not private.is_relative_to(public) and not public.is_relative_to(private)


def test_migration_moves_earlier_originals_out_of_the_public_storage(listing, media_root):
    """Originals uploaded before the private storage existed sit under MEDIA_ROOT."""
    migration = importlib.import_module("marketplace.photos.migrations.0002_private_originals")
    name = "photos/1/0123abcd/original"
    storages["default"].save(name, ContentFile(b"jpeg with GPS"))
    Photo.objects.create(listing=listing, original=name)
    missing = Photo.objects.create(listing=listing, original="photos/1/gone/original")

    migration.move_originals_to_private_storage(apps, schema_editor=None)

    assert files.files_under(media_root) == {}
    assert files.files_under(settings.PRIVATE_MEDIA_ROOT) == {name: b"jpeg with GPS"}
    assert not missing.original.storage.exists(missing.original.name)  # nothing to move
