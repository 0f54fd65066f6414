"""The photo API: reorder, delete, visibility and seller-only changes."""
import hashlib

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

import photo_files as files
from marketplace.photos.models import Photo
from marketplace.photos.services import process_photo


@pytest.fixture
def photos(listing, stored_photo):
    made = [stored_photo(listing, files.jpeg(), position) for position in (1, 2, 3)]
    for photo in made[:2]:
        process_photo(photo)
    return made  # two ready, one still pending


def order_of(listing):
    return list(listing.photos.values_list("pk", flat=True))


def reorder(api, listing, order):
    return api.post(reverse("listing-photos-reorder", args=[listing.pk]), {"order": order},
                    format="json")


def test_seller_reorders_photos(seller_api, listing, photos):
    new_order = [photos[2].pk, photos[0].pk, photos[1].pk]
    response = reorder(seller_api, listing, new_order)
    assert response.status_code == 200
    assert [photo["id"] for photo in response.json()] == new_order
    assert order_of(listing) == new_order


@pytest.mark.parametrize("bad", ["missing one", "duplicate", "foreign id"])
def test_reorder_must_name_every_photo_once(bad, seller_api, listing, photos):
    ids = [photo.pk for photo in photos]
    order = {"missing one": ids[:2], "duplicate": ids + [ids[0]],
             "foreign id": ids[:2] + [999999]}[bad]
    response = reorder(seller_api, listing, order)
    assert response.status_code == 400
    assert "exactly once" in response.json()["order"][0]
    assert order_of(listing) == ids


def test_seller_deletes_a_photo_and_its_files(seller_api, listing, photos, media_root,
                                              django_capture_on_commit_callbacks):
    photo = photos[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = seller_api.delete(reverse("photo-detail", args=[photo.pk]))
    assert response.status_code == 204
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert not any(str(photo.pk) in name.split("/")[2] for name in files.media_files(media_root)
                   if name.startswith("renditions/"))
    assert photo.original.name not in files.media_files(media_root)


def test_others_see_only_ready_photos_and_never_the_original(stranger_api, listing, photos):
    body = stranger_api.get(reverse("listing-photos-list", args=[listing.pk])).json()
    assert [photo["id"] for photo in body] == [photos[0].pk, photos[1].pk]
    assert all("original" not in photo for photo in body)
    assert stranger_api.get(reverse("photo-detail", args=[photos[0].pk])).status_code == 200
    assert stranger_api.get(reverse("photo-detail", args=[photos[2].pk])).status_code == 404


def test_only_the_seller_gets_the_sha256_of_the_private_original(seller_api, stranger_api,
                                                                  listing, photos):
    digest = hashlib.sha256(photos[0].original.read()).hexdigest()
    list_url = reverse("listing-photos-list", args=[listing.pk])
    detail_url = reverse("photo-detail", args=[photos[0].pk])
    assert seller_api.get(list_url).json()[0]["sha256"] == digest
    assert seller_api.get(detail_url).json()["sha256"] == digest
    for api in (stranger_api, APIClient()):
        assert [photo["sha256"] for photo in api.get(list_url).json()] == [None, None]
        assert api.get(detail_url).json()["sha256"] is None


@pytest.mark.parametrize("action", ["upload", "reorder", "delete"])
def test_others_cannot_change_photos(action, stranger_api, listing, photos, media_root):
    before = (order_of(listing), files.media_files(media_root))
    if action == "upload":
        response = stranger_api.post(reverse("listing-photos-list", args=[listing.pk]),
                                     {"images": [files.upload("x.jpg", files.jpeg())]},
                                     format="multipart")
    elif action == "reorder":
        response = reorder(stranger_api, listing, [p.pk for p in reversed(photos)])
    else:
        response = stranger_api.delete(reverse("photo-detail", args=[photos[0].pk]))
    assert response.status_code == 403
    assert (order_of(listing), files.media_files(media_root)) == before


def test_anonymous_cannot_upload(listing, photos, media_root):
    response = APIClient().post(reverse("listing-photos-list", args=[listing.pk]),
                                {"images": [files.upload("x.jpg", files.jpeg())]},
                                format="multipart")
    assert response.status_code in (401, 403)
    assert listing.photos.count() == 3


def test_a_hidden_listing_is_404_for_others_but_not_its_seller(stranger_api, seller_api,
                                                               listing, photos):
    listing.is_hidden = True
    listing.save()
    url = reverse("listing-photos-list", args=[listing.pk])
    assert stranger_api.get(url).status_code == 404
    assert stranger_api.get(reverse("photo-detail", args=[photos[0].pk])).status_code == 404
    assert reorder(stranger_api, listing, [p.pk for p in photos]).status_code == 404
    assert len(seller_api.get(url).json()) == 3


def test_staff_see_a_hidden_listings_ready_photos_as_on_its_page(listing, photos):
    """Who may open a listing is decided once (`listings.selectors`), for pages and API alike."""
    from marketplace.accounts.models import User

    listing.is_hidden = True
    listing.save()
    staff = User.objects.create_user("moderator", "mod@example.com", is_staff=True)
    api = APIClient()
    api.force_authenticate(staff)
    api.force_login(staff)
    assert api.get(listing.get_absolute_url()).status_code == 200
    body = api.get(reverse("listing-photos-list", args=[listing.pk])).json()
    assert [photo["id"] for photo in body] == [photos[0].pk, photos[1].pk]
    assert api.get(reverse("photo-detail", args=[photos[0].pk])).status_code == 200
    assert api.get(reverse("photo-detail", args=[photos[2].pk])).status_code == 404  # pending


def test_schema_documents_multipart_upload_and_reorder(seller_api):
    schema = seller_api.get(reverse("api-schema"), {"format": "json"}).json()
    upload = schema["paths"]["/api/v1/listings/{listing_id}/photos/"]["post"]
    multipart = upload["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
    component = schema["components"]["schemas"][multipart.rsplit("/", 1)[1]]
    images = component["properties"]["images"]
    assert images["type"] == "array" and images["items"]["format"] == "binary"
    assert "/api/v1/listings/{listing_id}/photos/reorder/" in schema["paths"]
    assert set(schema["paths"]["/api/v1/photos/{id}/"]) >= {"get", "delete"}


def test_deleting_a_listing_removes_its_photo_files(listing, photos, media_root,
                                                    django_capture_on_commit_callbacks):
    assert len(files.media_files(media_root)) == 7  # 3 originals + 2×2 renditions
    with django_capture_on_commit_callbacks(execute=True):
        listing.delete()
    assert files.media_files(media_root) == {}
