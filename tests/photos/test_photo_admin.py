import pytest

import photo_files as files
from marketplace.accounts.models import User
from marketplace.photos.services import process_photo


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("boss", "boss@example.com"))
    return client


def test_photo_admin_previews_thumbnails_and_filters_by_status(admin_client, listing,
                                                               stored_photo):
    ready = stored_photo(listing, files.jpeg(), 1)
    process_photo(ready)
    ready.refresh_from_db()
    pending = stored_photo(listing, files.jpeg(), 2)
    page = admin_client.get("/admin/photos/photo/?status__exact=done").content.decode()
    assert f'<img src="{ready.thumbnail.url}"' in page
    assert f"/admin/photos/photo/{pending.pk}/change/" not in page
    change = admin_client.get(f"/admin/photos/photo/{ready.pk}/change/").content.decode()
    assert ready.original.name not in change  # the private original is not shown


def test_the_listing_admin_previews_its_photos_the_same_way(admin_client, listing, stored_photo):
    ready = stored_photo(listing, files.jpeg(), 1)
    process_photo(ready)
    ready.refresh_from_db()
    page = admin_client.get(f"/admin/listings/listing/{listing.pk}/change/").content.decode()
    assert (f'<img src="{ready.thumbnail.url}" alt="" width="80" height="80" loading="lazy">'
            in page)
