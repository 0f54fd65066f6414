"""The saved list, the listing-page partial and the nav links."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from marketplace.listings.models import Listing
from marketplace.social import services
from marketplace.social.models import SavedListing

pytestmark = pytest.mark.django_db


def render_listing_partial(user, listing):
    request = RequestFactory().get(listing.get_absolute_url())
    request.user = user
    return render_to_string(
        "partials/listing_social.html", {"listing": listing, "user": user}, request
    )


def test_save_and_unsave_on_the_web(alice, make_listing, client_for):
    listing = make_listing("Sneakers")
    client = client_for(alice)
    client.post(reverse("social:toggle_saved", args=[listing.pk]), {"action": "save"})
    client.post(reverse("social:toggle_saved", args=[listing.pk]), {"action": "save"})
    assert SavedListing.objects.filter(user=alice).count() == 1
    assert "Sneakers" in client.get(reverse("social:saved")).content.decode()
    response = client.post(
        reverse("social:toggle_saved", args=[listing.pk]),
        {"action": "unsave", "next": listing.get_absolute_url()},
    )
    assert response["Location"] == listing.get_absolute_url()
    assert not SavedListing.objects.exists()


def test_unsafe_next_is_ignored(alice, make_listing, client_for):
    listing = make_listing("Sneakers")
    response = client_for(alice).post(
        reverse("social:toggle_saved", args=[listing.pk]),
        {"action": "save", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("social:saved")


def test_saved_listing_is_unique_in_the_database(alice, make_listing):
    listing = make_listing("Sneakers")
    SavedListing.objects.create(user=alice, listing=listing)
    with pytest.raises(IntegrityError), transaction.atomic():
        SavedListing.objects.create(user=alice, listing=listing)


def test_removed_listing_cannot_be_saved_and_shows_on_the_list(
    alice, make_listing, client_for, api_for
):
    listing = make_listing("Lamp")
    services.save_listing(alice, listing)
    Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.REMOVED)
    assert "No longer available" in client_for(alice).get(reverse("social:saved")).content.decode()
    other = make_listing("Gone", status=Listing.Status.REMOVED)
    response = api_for(alice).post("/api/v1/social/saved/", {"listing": other.pk}, format="json")
    assert response.status_code == 400
    assert not SavedListing.objects.filter(listing=other).exists()


@pytest.fixture
def not_public(make_listing):
    """Ids of a hidden listing, a removed one and one that does not exist."""
    hidden = make_listing("Hidden lamp", is_hidden=True)
    removed = make_listing("Removed chair", status=Listing.Status.REMOVED)
    return [hidden.pk, removed.pk, removed.pk + 1000]


def test_saving_or_unsaving_a_listing_that_is_not_public_names_nothing(
    alice, client_for, not_public
):
    client = client_for(alice)
    for listing_id in not_public:
        url = reverse("social:toggle_saved", args=[listing_id])
        assert client.post(url, {"action": "save"}).status_code == 404
        page = client.post(url, {"action": "unsave"}, follow=True).content.decode()
        assert "Removed the listing from your saved list." in page
        assert "Hidden lamp" not in page and "Removed chair" not in page
    assert not SavedListing.objects.exists()


def test_a_saved_listing_can_be_removed_after_a_moderator_hid_it(alice, make_listing, client_for):
    listing = make_listing("Lamp")
    services.save_listing(alice, listing)
    Listing.objects.filter(pk=listing.pk).update(is_hidden=True)
    client_for(alice).post(reverse("social:toggle_saved", args=[listing.pk]), {"action": "unsave"})
    assert not SavedListing.objects.exists()


def test_saved_api_answers_alike_for_listings_that_are_not_public(alice, api_for, not_public):
    errors = [
        api_for(alice).post("/api/v1/social/saved/", {"listing": pk}, format="json").json()
        for pk in not_public
    ]
    assert errors == [{"listing": [f'Invalid pk "{pk}" - object does not exist.']}
                      for pk in not_public]
    assert not SavedListing.objects.exists()


def test_saved_api(alice, bob, make_listing, api_for):
    listing = make_listing("Sneakers", "80.00")
    response = api_for(alice).post("/api/v1/social/saved/", {"listing": listing.pk}, format="json")
    assert response.status_code == 201
    rows = api_for(alice).get("/api/v1/social/saved/").json()["results"]
    assert [(row["title"], row["price"], row["status"]) for row in rows] == [
        ("Sneakers", "80.00", "active")
    ]
    assert api_for(bob).delete(f"/api/v1/social/saved/{rows[0]['id']}/").status_code == 404
    assert api_for(alice).delete(f"/api/v1/social/saved/{rows[0]['id']}/").status_code == 204
    assert not SavedListing.objects.exists()


def test_listing_partial_offers_save_and_ask(alice, make_listing):
    listing = make_listing("Sneakers")
    html = render_listing_partial(alice, listing)
    assert "Save" in html and f"{reverse('social:poll_create')}?listing={listing.pk}" in html
    services.save_listing(alice, listing)
    assert 'value="unsave"' in render_listing_partial(alice, listing)


def test_listing_partial_is_empty_for_visitors_and_unlisted_items(alice, make_listing):
    assert render_listing_partial(AnonymousUser(), make_listing("Sneakers")).strip() == ""
    assert render_listing_partial(alice, make_listing("Boots", is_hidden=True)).strip() == ""
    sold = render_listing_partial(alice, make_listing("Hat", status=Listing.Status.SOLD))
    assert "Save" in sold and "Ask friends" not in sold


def test_the_seller_is_not_offered_save_or_ask_on_their_own_listing(alice, make_listing,
                                                                     client_for):
    listing = make_listing("Sneakers")
    own_page = client_for(listing.seller).get(listing.get_absolute_url()).content.decode()
    assert "Sneakers" in own_page
    ask = f"{reverse('social:poll_create')}?listing={listing.pk}"
    assert 'class="social-actions"' not in own_page and ask not in own_page
    assert "{%" not in own_page and "{#" not in own_page
    assert 'name="action" value="save"' not in own_page
    other_page = client_for(alice).get(listing.get_absolute_url()).content.decode()
    assert 'name="action" value="save"' in other_page and ask in other_page


def test_nav_links_only_for_logged_in_users(alice, client_for):
    page = client_for(alice).get(reverse("social:saved")).content.decode()
    for name in ("saved", "friends", "polls", "notifications"):
        assert f'href="{reverse(f"social:{name}")}"' in page
    assert render_to_string("partials/nav_social.html", {"user": AnonymousUser()}).strip() == ""


def processed_photo(listing, name: str):
    from marketplace.photos.models import Photo

    return Photo.objects.create(listing=listing, status=Photo.Status.DONE, original="o.jpg",
                                display=f"renditions/{name}/d.jpg",
                                thumbnail=f"renditions/{name}/t.jpg")


def test_saved_items_and_poll_options_show_their_photo_and_price(
        poll, alice, make_listing, client_for, django_assert_max_num_queries):
    for option in poll.options.all():
        processed_photo(option.listing, f"option-{option.position}")
    sneakers = make_listing("Sneakers", price="1234.50")
    processed_photo(sneakers, "sneakers")
    services.save_listing(alice, sneakers)
    client = client_for(alice)
    saved = client.get(reverse("social:saved")).content.decode()
    assert "renditions/sneakers/t.jpg" in saved and "€1,234.50" in saved
    with django_assert_max_num_queries(9):  # photos prefetched, not one query per option
        page = client.get(reverse("social:poll", args=[poll.pk])).content.decode()
    assert "renditions/option-0/t.jpg" in page and "renditions/option-1/t.jpg" in page
    assert "€80.00" in page


def test_a_seller_cannot_save_their_own_listing(make_listing, client_for):
    listing = make_listing("My own boots")
    with pytest.raises(services.SocialError, match="your own listing"):
        services.save_listing(listing.seller, listing)
    response = client_for(listing.seller).post(
        reverse("social:toggle_saved", args=[listing.pk]), {"action": "save"}, follow=True)
    assert "your own listing" in response.content.decode()
    assert not SavedListing.objects.exists()
