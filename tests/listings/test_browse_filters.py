"""The browse page and the listings API share one FilterSet: same filters, same answers."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace.listings import services
from marketplace.listings.models import Listing
from marketplace.listings.views import PAGE_SIZE


@pytest.fixture
def catalogue(make_listing, buyer):
    """A small catalogue across verticals, plus listings browse must never show."""
    items = {
        "dress": make_listing("Summer dress", "30.00", "dresses", condition="like_new"),
        "shoes": make_listing("Trail shoes", "55.00", "shoes", condition="good"),
        "jeans": make_listing("Old jeans", "5.00", "pants", condition="fair"),
        "apples": make_listing("Apples", "2.00", "fruit", condition="new", owner=buyer),
        "lamp": make_listing("Desk lamp", "18.00", "lighting", condition="good", owner=buyer),
    }
    services.mark_sold(make_listing("Sold coat", "80.00", "outerwear"))
    services.remove_listing(make_listing("Removed hat", "3.00", "hats"))
    services.hide_listings([make_listing("Hidden bag", "9.00", "bags")], "Spam")
    return items


def web_titles(client, params) -> list[str]:
    response = client.get(reverse("listings:browse"), params)
    assert response.status_code == 200
    return [listing.title for listing in response.context["page"].object_list]


def api_titles(client, params) -> list[str]:
    response = client.get("/api/v1/listings/", params)
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["results"]]


BOTH = pytest.mark.parametrize("titles", [web_titles, api_titles], ids=["web", "api"])


@BOTH
def test_browse_shows_only_active_public_listings_newest_first(client, catalogue, titles):
    assert titles(client, {}) == ["Desk lamp", "Apples", "Old jeans", "Trail shoes", "Summer dress"]


@BOTH
@pytest.mark.parametrize("params, expected", [
    ({"category": "fashion"}, {"Summer dress", "Trail shoes", "Old jeans"}),  # a vertical: all below
    ({"category": "shoes"}, {"Trail shoes"}),
    ({"category": "food-drink"}, {"Apples"}),
    ({"category": "vehicles"}, set()),
    ({"min_price": "10", "max_price": "40"}, {"Summer dress", "Desk lamp"}),
    ({"min_price": "30"}, {"Summer dress", "Trail shoes"}),
    ({"max_price": "5"}, {"Old jeans", "Apples"}),
    ({"condition": "good"}, {"Trail shoes", "Desk lamp"}),
    ({"category": "fashion", "condition": "fair", "max_price": "10"}, {"Old jeans"}),
], ids=["vertical", "leaf", "other-vertical", "empty-vertical", "price-range", "min-price",
        "max-price", "condition", "combined"])
def test_filters(client, catalogue, titles, params, expected):
    assert set(titles(client, params)) == expected


@BOTH
@pytest.mark.parametrize("sort, expected", [
    ("newest", ["Desk lamp", "Apples", "Old jeans", "Trail shoes", "Summer dress"]),
    ("price_asc", ["Apples", "Old jeans", "Desk lamp", "Summer dress", "Trail shoes"]),
    ("price_desc", ["Trail shoes", "Summer dress", "Desk lamp", "Old jeans", "Apples"]),
])
def test_sort(client, catalogue, titles, sort, expected):
    assert titles(client, {"sort": sort}) == expected


@pytest.mark.parametrize("params", [
    {"category": "no-such-category"}, {"min_price": "-1"}, {"condition": "mint"}, {"sort": "random"}])
def test_bad_filter_values_are_reported(client, catalogue, params):
    page = client.get(reverse("listings:browse"), params)
    assert page.status_code == 200
    assert page.context["filter"].form.errors and page.context["page"].paginator.count == 0
    assert 'class="error"' in page.content.decode()
    api = client.get("/api/v1/listings/", params)
    assert api.status_code == 400 and set(api.json()) == set(params)


def test_browse_pages_keep_the_filters(client, make_listing):
    for number in range(PAGE_SIZE + 3):
        make_listing(f"Shirt {number}", "10.00", "shirts")
    make_listing("Fruit basket", "10.00", "fruit")
    first = client.get(reverse("listings:browse"), {"category": "fashion", "sort": "price_asc"})
    assert len(first.context["page"].object_list) == PAGE_SIZE
    assert first.context["page"].paginator.num_pages == 2
    html = first.content.decode()
    assert "?category=fashion&amp;sort=price_asc&amp;page=2" in html
    second = client.get(reverse("listings:browse"), {"category": "fashion", "sort": "price_asc", "page": 2})
    titles = {listing.title for listing in second.context["page"].object_list}
    assert len(titles) == 3 and "Fruit basket" not in titles
    seen = {listing.title for listing in first.context["page"].object_list} | titles
    assert len(seen) == PAGE_SIZE + 3
    # Out-of-range or junk page numbers show a real page rather than an error.
    assert client.get(reverse("listings:browse"), {"page": "99"}).context["page"].number == 2
    assert client.get(reverse("listings:browse"), {"page": "x"}).context["page"].number == 1


def test_api_list_is_paginated(client, make_listing, settings):
    page_size = settings.REST_FRAMEWORK["PAGE_SIZE"]
    for number in range(page_size + 1):
        make_listing(f"Shirt {number}", "10.00", "shirts")
    body = client.get("/api/v1/listings/").json()
    assert body["count"] == page_size + 1 and len(body["results"]) == page_size and body["next"]
    rest = client.get(body["next"]).json()
    assert [item["title"] for item in rest["results"]] == ["Shirt 0"]


def test_cards_show_the_thumbnail_or_a_placeholder(client, make_listing, add_photo):
    photo = add_photo(make_listing("Pictured", "1.00", "shirts"))
    make_listing("Unpictured", "1.00", "shirts")
    html = client.get(reverse("listings:browse")).content.decode()
    assert photo.thumbnail.url in html
    assert 'card__image placeholder' in html


def test_sold_listing_badge_on_its_page_not_in_browse(client, listing):
    services.mark_sold(listing)
    assert listing.title not in client.get(reverse("listings:browse")).content.decode()
    assert "Sold" in client.get(listing.get_absolute_url()).content.decode()
    assert Listing.objects.get().status == Listing.Status.SOLD


def test_browse_queries_do_not_grow_with_the_number_of_listings(client, make_listing, add_photo):
    def queries_for_browse(count: int) -> int:
        for number in range(count):
            add_photo(make_listing(f"Item {number}", "10.00", "shirts"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("listings:browse")).status_code == 200
        return len(queries)

    assert queries_for_browse(2) == queries_for_browse(10)
