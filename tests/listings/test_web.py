"""Selling through the web pages: create, edit, mark sold, delete, and who may see what."""
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from marketplace.listings import services
from marketplace.listings.models import Category, Listing
from marketplace.photos.models import Photo


pytestmark = pytest.mark.usefixtures("categories")

def form_data(**overrides):
    data = {"title": "Red blazer", "description": "Lined, size 38", "price": "40.00",
            "currency": "EUR", "category": Category.objects.get(slug="blazers").pk,
            "condition": "like_new", "location": "Madrid"}
    return {**data, **overrides}


def test_create_listing_redirects_to_the_photo_step(seller_client, seller):
    response = seller_client.post(reverse("listings:create"), form_data())
    listing = Listing.objects.get()
    assert (listing.seller, listing.title, listing.price, listing.status) == (
        seller, "Red blazer", Decimal("40.00"), Listing.Status.ACTIVE)
    assert response.status_code == 302
    assert response.url == reverse("photos:manage", args=[listing.pk])
    page = seller_client.get(listing.get_absolute_url()).content.decode()
    assert f'href="{response.url}">Photos</a>' in page  # and back to it from the listing


@pytest.mark.parametrize("overrides, field, message", [
    ({"price": "-1"}, "price", "greater than or equal to 0"),
    ({"title": ""}, "title", "Give your listing a title."),
    ({"currency": "XYZ"}, "currency", "Select a valid choice"),
    ({"category": "999999"}, "category", "Select a valid choice"),
    ({"price": "abc"}, "price", "Enter a number"),
])
def test_invalid_input_shows_the_error_and_creates_nothing(seller_client, overrides, field, message):
    response = seller_client.post(reverse("listings:create"), form_data(**overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode()
    assert not Listing.objects.exists()


def test_edit_changes_the_listing(seller_client, listing):
    response = seller_client.post(reverse("listings:edit", args=[listing.pk]),
                                  form_data(title="Straight jeans", price="15.50"))
    assert response.status_code == 302
    listing.refresh_from_db()
    assert (listing.title, listing.price) == ("Straight jeans", Decimal("15.50"))


def test_edit_page_shows_the_current_values(seller_client, listing):
    response = seller_client.get(reverse("listings:edit", args=[listing.pk]))
    assert response.status_code == 200 and 'value="Blue jeans"' in response.content.decode()


def test_invalid_edit_changes_nothing(seller_client, listing):
    response = seller_client.post(reverse("listings:edit", args=[listing.pk]), form_data(price="-5"))
    assert response.status_code == 200
    listing.refresh_from_db()
    assert (listing.title, listing.price) == ("Blue jeans", Decimal("20.00"))


def test_mark_sold_keeps_the_page_with_a_badge(seller_client, client, listing):
    assert seller_client.get(reverse("listings:mark_sold", args=[listing.pk])).status_code == 405
    seller_client.post(reverse("listings:mark_sold", args=[listing.pk]))
    listing.refresh_from_db()
    assert listing.status == Listing.Status.SOLD
    client.logout()
    page = client.get(listing.get_absolute_url())
    assert page.status_code == 200 and 'badge--sold">Sold' in page.content.decode()
    assert listing not in client.get(reverse("listings:browse")).context["page"].object_list


def test_a_removed_listing_cannot_come_back_as_sold(seller_client, listing):
    services.remove_listing(listing)
    response = seller_client.post(reverse("listings:mark_sold", args=[listing.pk]), follow=True)
    assert "Only a listing that is for sale can be marked as sold." in response.content.decode()
    listing.refresh_from_db()
    assert listing.status == Listing.Status.REMOVED


def test_a_listing_removed_in_another_tab_cannot_be_marked_sold_from_a_stale_copy(listing):
    """The status is checked as stored, not as the caller last read it."""
    stale = Listing.objects.get(pk=listing.pk)
    services.remove_listing(listing)
    with pytest.raises(ValidationError, match="Only a listing that is for sale"):
        services.mark_sold(stale)
    listing.refresh_from_db()
    assert listing.status == stale.status == Listing.Status.REMOVED


def test_delete_is_a_soft_delete(seller_client, client, listing):
    confirm = seller_client.get(reverse("listings:delete", args=[listing.pk]))
    assert confirm.status_code == 200
    listing.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE  # GET only asks
    response = seller_client.post(reverse("listings:delete", args=[listing.pk]))
    assert response.url == reverse("listings:mine")
    listing.refresh_from_db()
    assert listing.status == Listing.Status.REMOVED
    assert seller_client.get(listing.get_absolute_url()).status_code == 200  # the seller still sees it
    client.logout()
    assert client.get(listing.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("name, method", [
    ("edit", "get"), ("edit", "post"), ("mark_sold", "post"), ("delete", "get"), ("delete", "post")])
def test_other_users_cannot_change_a_listing(buyer_client, listing, name, method):
    response = getattr(buyer_client, method)(reverse(f"listings:{name}", args=[listing.pk]),
                                             form_data(title="Hijacked"))
    assert response.status_code == 404
    listing.refresh_from_db()
    assert (listing.title, listing.status) == ("Blue jeans", Listing.Status.ACTIVE)


@pytest.mark.parametrize("make_private", [
    lambda listing: services.remove_listing(listing),
    lambda listing: services.hide_listings([listing], "Counterfeit"),
], ids=["removed", "hidden"])
def test_non_public_listings_are_only_for_the_seller_and_staff(
        client, seller, buyer, admin_user, listing, make_private):
    make_private(listing)
    for user, status in [(None, 404), (buyer, 404), (seller, 200), (admin_user, 200)]:
        client.logout()
        if user:
            client.force_login(user)
        assert client.get(listing.get_absolute_url()).status_code == status, user
        assert client.get(reverse("listings:browse")).context["page"].paginator.count == 0


def test_my_listings_shows_every_state_and_photo_count(seller_client, make_listing, add_photo):
    add_photo(make_listing(title="Still for sale"), status=Photo.Status.PENDING)
    services.mark_sold(make_listing(title="Gone to a good home"))
    services.remove_listing(make_listing(title="Changed my mind"))
    services.hide_listings([make_listing(title="Too good to be true")], "Spam")
    page = seller_client.get(reverse("listings:mine")).content.decode()
    for text in ["Still for sale", "1 photo", "Gone to a good home", "Sold", "Changed my mind",
                 "Removed by seller", "Too good to be true", "Hidden by moderator"]:
        assert text in page


def test_my_listings_shows_only_my_own(buyer_client, listing):
    assert "Blue jeans" not in buyer_client.get(reverse("listings:mine")).content.decode()


def test_detail_gallery_switches_photo_without_javascript(client, listing, add_photo):
    photos = [add_photo(listing, position) for position in range(2)]
    add_photo(listing, 5, status=Photo.Status.PENDING)  # not shown until processed
    first = client.get(listing.get_absolute_url())
    assert first.context["photo"] == photos[0] and list(first.context["photos"]) == photos
    second = client.get(listing.get_absolute_url(), {"photo": photos[1].pk})
    assert second.context["photo"] == photos[1]
    assert photos[1].display.url in second.content.decode()
    forged = client.get(listing.get_absolute_url(), {"photo": "not-a-photo"})
    assert forged.status_code == 200 and forged.context["photo"] == photos[0]


def test_a_missing_listing_gets_the_sites_not_found_page(client, db):
    response = client.get("/listings/999999/")
    assert response.status_code == 404
    assert {"404.html", "base.html"} <= {template.name for template in response.templates}
    page = response.content.decode()
    assert 'class="site-header"' in page and "We can’t find that page" in page
    assert f'href="{reverse("listings:browse")}">Browse listings' in page
    assert f'action="{reverse("search:search")}" class="search-form"' in page


@pytest.mark.urls("tests.listings.urls_with_error")
def test_a_failing_page_gets_the_sites_error_page_without_the_database(
        client, db, django_assert_num_queries):
    """Django renders 500.html without a request: no context processors and, here, no query
    (the database may be what failed). Its links are plain paths: they must stay right."""
    client.raise_request_exception = False
    with django_assert_num_queries(0):
        response = client.get("/broken/")
    assert response.status_code == 500
    page = response.content.decode()
    assert 'class="site-header"' in page and "Something went wrong on our side" in page
    assert 'href="/"' in page and reverse("listings:browse") == "/"
    assert 'href="/search/"' in page and reverse("search:search") == "/search/"


def test_pages_have_a_favicon(client, db):
    from django.contrib.staticfiles import finders

    page = client.get(reverse("listings:browse")).content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg"' in page
    assert finders.find("img/favicon.svg")
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/img/favicon.svg"
