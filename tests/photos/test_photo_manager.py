"""The seller's photo manager page: upload form, states, reorder without JS, delete."""
import re

import pytest
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse

import photo_files as files
from marketplace.photos import services, views
from marketplace.photos.models import Photo
from marketplace.photos.services import process_photo
from tests.locks import race


@pytest.fixture
def three_photos(listing, stored_photo):
    return [stored_photo(listing, files.jpeg(), position) for position in (1, 2, 3)]


def manage_url(listing):
    return reverse("photos:manage", args=[listing.pk])


def test_page_offers_multi_upload_for_desktop_and_phone(seller_client, listing):
    response = seller_client.get(manage_url(listing))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="images"' in page and "multiple" in page
    assert 'accept="image/*,.heic,.heif"' in page
    assert "capture=" not in page  # it would limit a phone to the camera, one photo at a time
    described_by = re.search(r'name="images"[^>]*aria-describedby="([^"]+)"', page).group(1)
    assert f'id="{described_by}"' in page  # screen readers read the help with the input
    assert 'enctype="multipart/form-data"' in page
    assert "photos/photos.js" in page
    templates = {template.name for template in response.templates}
    assert "partials/listing_form_suggestions.html" in templates


def test_page_shows_each_processing_state(seller_client, listing, stored_photo):
    ready = stored_photo(listing, files.jpeg(), 1)
    process_photo(ready)
    stored_photo(listing, files.jpeg(), 2)
    broken = stored_photo(listing, files.truncated_jpeg(), 3)
    process_photo(broken)
    page = seller_client.get(manage_url(listing)).content.decode()
    ready.refresh_from_db()
    assert "Ready" in page and ready.thumbnail.url in page
    assert "Processing…" in page
    assert "Failed: The image file is damaged and could not be decoded." in page
    assert ready.original.name not in page  # the private original is never linked


def test_status_endpoint_reports_progress_for_polling(seller_api, listing, stored_photo):
    done = stored_photo(listing, files.jpeg(), 1)
    process_photo(done)
    pending = stored_photo(listing, files.jpeg(), 2)
    body = seller_api.get(reverse("listing-photos-list", args=[listing.pk])).json()
    assert [(photo["id"], photo["status"]) for photo in body] == [
        (done.pk, "done"), (pending.pk, "pending")]
    assert body[0]["thumbnail_url"].endswith("thumbnail.jpg")
    assert body[1]["thumbnail_url"] is None


@pytest.mark.parametrize("direction, index, expected", [
    ("up", 1, [1, 0, 2]), ("down", 1, [0, 2, 1]), ("up", 0, [0, 1, 2]), ("down", 2, [0, 1, 2])])
def test_move_buttons_reorder_without_javascript(direction, index, expected, seller_client,
                                                 listing, three_photos):
    photo = three_photos[index]
    response = seller_client.post(
        reverse("photos:move", args=[listing.pk, photo.pk, direction]))
    assert response.status_code == 302
    assert list(listing.photos.values_list("pk", flat=True)) == [
        three_photos[i].pk for i in expected]


def test_moving_a_photo_deleted_meanwhile_says_so_and_keeps_the_order(
        seller_client, listing, three_photos, monkeypatch):
    """Another tab deletes the photo just after this request found it: a message, not a 500."""
    def found_then_deleted(*args, **kwargs):
        photo = get_object_or_404(*args, **kwargs)
        Photo.objects.filter(pk=photo.pk).delete()
        return photo

    monkeypatch.setattr(views, "get_object_or_404", found_then_deleted)
    response = seller_client.post(
        reverse("photos:move", args=[listing.pk, three_photos[1].pk, "up"]), follow=True)
    assert response.status_code == 200
    assert "This photo has just been deleted." in response.content.decode()
    assert list(listing.photos.values_list("pk", flat=True)) == [
        three_photos[0].pk, three_photos[2].pk]


@pytest.mark.django_db(transaction=True)
def test_a_move_waits_for_a_delete_in_another_tab_then_moves_among_the_rest(
        seller, listing, three_photos):
    """The order is read under the lock: read before it, it still named the deleted photo and
    the move failed with "must list every photo" (a 500)."""
    def other_tab(pause):
        with transaction.atomic():
            services.delete_photo(Photo.objects.get(pk=three_photos[0].pk), user=seller)
            pause()

    def this_tab():
        photo = Photo.objects.select_related("listing").get(pk=three_photos[2].pk)
        services.move_photo(photo, -1, user=seller)

    assert race(other_tab, this_tab) == []
    assert list(listing.photos.values_list("pk", flat=True)) == [
        three_photos[2].pk, three_photos[1].pk]


def test_move_needs_post(seller_client, listing, three_photos):
    url = reverse("photos:move", args=[listing.pk, three_photos[1].pk, "up"])
    assert seller_client.get(url).status_code == 405


def test_delete_asks_first_then_removes_row_and_files(seller_client, listing, three_photos,
                                                      media_root,
                                                      django_capture_on_commit_callbacks):
    photo = three_photos[0]
    process_photo(photo)
    photo.refresh_from_db()
    url = reverse("photos:delete", args=[listing.pk, photo.pk])
    confirm = seller_client.get(url)
    assert confirm.status_code == 200 and "Delete this photo?" in confirm.content.decode()
    assert Photo.objects.filter(pk=photo.pk).exists()
    names = {photo.original.name, photo.display.name, photo.thumbnail.name}
    with django_capture_on_commit_callbacks(execute=True):
        response = seller_client.post(url)
    assert response.status_code == 302
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert not names & set(files.media_files(media_root))
    assert len(files.media_files(media_root)) == 2  # the other two originals stay


@pytest.mark.parametrize("method, route", [
    ("get", "manage"), ("post", "manage"), ("post", "move"), ("get", "delete"),
    ("post", "delete")])
def test_other_users_get_404_and_nothing_changes(method, route, stranger_client, listing,
                                                 three_photos, media_root):
    before = files.media_files(media_root)
    args = {"manage": [listing.pk], "move": [listing.pk, three_photos[1].pk, "up"],
            "delete": [listing.pk, three_photos[1].pk]}[route]
    data = {"images": [files.upload("x.jpg", files.jpeg())]} if route == "manage" else {}
    response = getattr(stranger_client, method)(reverse(f"photos:{route}", args=args), data)
    assert response.status_code == 404
    assert list(listing.photos.values_list("pk", flat=True)) == [p.pk for p in three_photos]
    assert files.media_files(media_root) == before


def test_a_photo_of_another_listing_is_not_reachable_through_mine(seller_client, seller,
                                                                  listing, stranger,
                                                                  stored_photo):
    other = type(listing).objects.create(seller=stranger, title="Lamp", price=5,
                                         category=listing.category)
    foreign = stored_photo(other, files.jpeg())
    response = seller_client.post(reverse("photos:delete", args=[listing.pk, foreign.pk]))
    assert response.status_code == 404
    assert Photo.objects.filter(pk=foreign.pk).exists()


def test_anonymous_visitors_are_sent_to_log_in(client, listing):
    response = client.get(manage_url(listing))
    assert response.status_code == 302 and "login" in response["Location"]
