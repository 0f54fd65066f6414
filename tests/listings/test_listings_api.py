"""The listings API: who can read, create, change and delete, with token and session auth."""
import json
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from marketplace.listings import services
from marketplace.listings.models import Listing

from .conftest import token_client

pytestmark = pytest.mark.usefixtures("categories")

NEW = {"title": "Road bike", "description": "56 cm frame", "price": "250.00", "currency": "EUR",
       "category": "bicycles", "condition": "good", "location": "Utrecht"}


def session_client(api, user):
    api.force_login(user)  # a real session cookie, as a browser using the API would have
    return api


AUTHS = pytest.mark.parametrize("authenticate", [token_client, None], ids=["token", "session"])


def as_user(api, user, authenticate):
    return authenticate(user) if authenticate else session_client(api, user)


@AUTHS
def test_create_listing(api, seller, authenticate):
    response = as_user(api, seller, authenticate).post("/api/v1/listings/", NEW, format="json")
    assert response.status_code == 201, response.content
    listing = Listing.objects.get()
    assert (listing.seller, listing.price, listing.category.slug) == (seller, Decimal("250.00"), "bicycles")
    body = response.json()
    assert body["seller"] == "sam" and body["status"] == "active" and body["photos"] == []
    assert body["url"].endswith(listing.get_absolute_url())


def test_anonymous_cannot_create(api, db):
    assert api.post("/api/v1/listings/", NEW, format="json").status_code in (401, 403)
    assert not Listing.objects.exists()


@pytest.mark.parametrize("overrides, field", [
    ({"price": "-3"}, "price"), ({"title": ""}, "title"), ({"currency": "XYZ"}, "currency"),
    ({"category": "no-such"}, "category"), ({"condition": "mint"}, "condition"),
])
def test_invalid_create_is_a_400_and_creates_nothing(seller, overrides, field):
    response = token_client(seller).post("/api/v1/listings/", {**NEW, **overrides}, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Listing.objects.exists()


def test_status_cannot_be_set_through_the_api(seller, listing):
    token_client(seller).patch(f"/api/v1/listings/{listing.pk}/", {"status": "sold"}, format="json")
    listing.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE


@AUTHS
def test_seller_updates_and_soft_deletes(api, seller, listing, authenticate):
    client = as_user(api, seller, authenticate)
    response = client.patch(f"/api/v1/listings/{listing.pk}/", {"price": "12.00"}, format="json")
    assert response.status_code == 200 and response.json()["price"] == "12.00"
    response = client.put(f"/api/v1/listings/{listing.pk}/", NEW, format="json")
    assert response.status_code == 200
    listing.refresh_from_db()
    assert (listing.title, listing.category.slug) == ("Road bike", "bicycles")
    assert client.delete(f"/api/v1/listings/{listing.pk}/").status_code == 204
    listing.refresh_from_db()
    assert listing.status == Listing.Status.REMOVED  # the row stays
    assert client.get(f"/api/v1/listings/{listing.pk}/").json()["status"] == "removed"


@AUTHS
def test_other_users_get_403_on_a_public_listing_and_change_nothing(api, buyer, listing, authenticate):
    client = as_user(api, buyer, authenticate)
    url = f"/api/v1/listings/{listing.pk}/"
    assert client.patch(url, {"price": "1.00"}, format="json").status_code == 403
    assert client.put(url, NEW, format="json").status_code == 403
    assert client.delete(url).status_code == 403
    listing.refresh_from_db()
    assert (listing.price, listing.title, listing.status) == (Decimal("20.00"), "Blue jeans", "active")


@AUTHS
def test_other_users_get_404_on_a_non_public_listing(api, buyer, listing, authenticate):
    services.remove_listing(listing)
    client = as_user(api, buyer, authenticate)
    url = f"/api/v1/listings/{listing.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"price": "1.00"}, format="json").status_code == 404
    listing.refresh_from_db()
    assert listing.price == Decimal("20.00")


def test_anonymous_reads_public_but_not_hidden(api, listing, make_listing):
    hidden = make_listing("Hidden")
    services.hide_listings([hidden], "Spam")
    assert api.get(f"/api/v1/listings/{listing.pk}/").status_code == 200
    assert api.get(f"/api/v1/listings/{hidden.pk}/").status_code == 404
    assert api.patch(f"/api/v1/listings/{listing.pk}/", {"price": "1"}, format="json").status_code in (401, 403)


def test_sold_listing_is_retrievable_but_not_listed(api, listing):
    services.mark_sold(listing)
    assert api.get(f"/api/v1/listings/{listing.pk}/").json()["status"] == "sold"
    assert api.get("/api/v1/listings/").json()["count"] == 0


def test_mark_sold_is_for_the_seller_and_only_once(seller, buyer, listing):
    url = f"/api/v1/listings/{listing.pk}/mark-sold/"
    assert token_client(buyer).post(url).status_code == 403
    assert Listing.objects.get().status == Listing.Status.ACTIVE
    response = token_client(seller).post(url)
    assert response.status_code == 200 and response.json()["status"] == "sold"
    again = token_client(seller).post(url)
    assert again.status_code == 400 and "status" in again.json()


def test_mine_lists_own_listings_in_every_state(seller, buyer, make_listing):
    services.remove_listing(make_listing("Removed"))
    services.mark_sold(make_listing("Sold"))
    make_listing("Someone else's", owner=buyer)
    body = token_client(seller).get("/api/v1/listings/mine/").json()
    assert {(item["title"], item["status"]) for item in body["results"]} == {
        ("Removed", "removed"), ("Sold", "sold")}


def test_bad_token_is_rejected(api, listing):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    # 403 rather than 401: session auth comes first and sends no WWW-Authenticate challenge.
    assert api.delete(f"/api/v1/listings/{listing.pk}/").status_code in (401, 403)
    assert Listing.objects.get().status == Listing.Status.ACTIVE


def test_obtain_token_and_use_it(api, seller):
    bad = api.post("/api/v1/auth/token/", {"username": "sam", "password": "nope"}, format="json")
    assert bad.status_code == 400
    token = api.post("/api/v1/auth/token/", {"username": "sam", "password": "seller-pass-123"},
                     format="json").json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.post("/api/v1/listings/", NEW, format="json").status_code == 201


def test_session_writes_need_csrf(seller, listing):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(seller)
    response = client.patch(f"/api/v1/listings/{listing.pk}/", {"price": "1.00"}, format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_categories_tree(api, db):
    roots = api.get("/api/v1/categories/").json()
    fashion = next(root for root in roots if root["slug"] == "fashion")
    assert fashion["parent"] is None
    assert {"dresses", "shoes"} <= {child["slug"] for child in fashion["children"]}
    assert all(child["parent"] == "fashion" for child in fashion["children"])
    assert all(root["parent"] is None for root in roots)
    dresses = api.get("/api/v1/categories/dresses/").json()
    assert dresses["name"] == "Dresses" and dresses["children"] == []
    assert api.post("/api/v1/categories/", {"slug": "x", "name": "X"}).status_code in (401, 403, 405)


def test_openapi_schema_generates_without_warnings(db):
    out = StringIO()
    # --fail-on-warn turns any drf-spectacular warning into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    schema = json.loads(out.getvalue())
    for path in ["/api/v1/listings/", "/api/v1/listings/{id}/", "/api/v1/listings/mine/",
                 "/api/v1/categories/", "/api/v1/categories/{slug}/", "/api/v1/auth/token/"]:
        assert path in schema["paths"], path
    parameters = {p["name"] for p in schema["paths"]["/api/v1/listings/"]["get"]["parameters"]}
    assert {"category", "min_price", "max_price", "condition", "sort", "page"} <= parameters
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_schema_and_docs_are_served(client, db):
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs/").status_code == 200


def test_docs_page_loads_its_assets_from_our_own_static_files(client, db, settings):
    """Swagger UI comes from drf-spectacular-sidecar, not from a CDN the site may not reach."""
    from django.contrib.staticfiles import finders

    html = client.get("/api/v1/docs/").content.decode()
    assert not re.search(r"https?://", html), "the docs page loads something from elsewhere"
    static = "/" + settings.STATIC_URL.lstrip("/")
    assets = re.findall(rf'(?:src|href)="{re.escape(static)}([^"?]+)', html)
    assert any(path.endswith("swagger-ui-bundle.js") for path in assets), html
    for path in assets:
        assert finders.find(path), path
