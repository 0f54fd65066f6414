"""Draft listings (selling from photos): what a draft may lack, publishing it, and that nobody but
its seller (and staff) ever sees one: not browse, the API, the listing page, saves or polls."""
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from marketplace.listings import selectors, services
from marketplace.listings.models import Category, Listing
from marketplace.social import services as social
from marketplace.social.services import SocialError

from .conftest import token_client

pytestmark = pytest.mark.usefixtures("categories")


@pytest.fixture
def draft(seller) -> Listing:
    return services.create_draft(seller)


def details(**overrides) -> dict:
    return {"title": "Red blazer", "price": Decimal("40.00"),
            "category": Category.objects.get(slug="blazers"), **overrides}


def test_a_draft_may_lack_title_category_and_price_and_is_never_public(draft):
    draft.refresh_from_db()
    assert (draft.status, draft.title, draft.category, draft.price) == ("draft", "", None, None)
    assert draft.is_draft and not draft.is_public and str(draft) == "Untitled draft"
    assert draft not in selectors.public_listings() and draft not in selectors.browse_listings()


@pytest.mark.parametrize("missing", ["category", "title", "price"])
def test_the_database_refuses_a_published_listing_without_what_buyers_need(seller, missing):
    fields = {**details(), "category": None if missing == "category" else details()["category"],
              "title": "" if missing == "title" else "Red blazer",
              "price": None if missing == "price" else Decimal("1")}
    with pytest.raises(IntegrityError, match="listing_complete_unless_draft"), transaction.atomic():
        Listing.objects.create(seller=seller, status=Listing.Status.ACTIVE, **fields)
    draft = services.create_draft(seller)
    with pytest.raises(IntegrityError, match="listing_complete_unless_draft"), transaction.atomic():
        Listing.objects.filter(pk=draft.pk).update(status=Listing.Status.SOLD)


def test_services_name_each_missing_field(seller, listing):
    with pytest.raises(ValidationError) as error:
        services.create_listing(seller, title="Lamp", price=Decimal("5"))
    assert error.value.message_dict == {"category": ["Choose a category."]}
    with pytest.raises(ValidationError) as error:
        services.update_listing(listing, title="", price=None)
    assert error.value.message_dict == {"title": ["Give your listing a title."],
                                        "price": ["Enter a price."]}
    listing.refresh_from_db()
    assert listing.title == "Blue jeans"


def test_a_draft_stays_a_draft_when_edited_and_goes_on_sale_when_published(draft):
    services.update_listing(draft, title="Red blazer")  # e.g. through the API
    draft.refresh_from_db()
    assert draft.is_draft and draft.title == "Red blazer"

    services.publish_listing(draft, **details(title="Lined red blazer"))
    draft.refresh_from_db()
    assert (draft.status, draft.title, draft.price) == ("active", "Lined red blazer", 40)
    assert draft in selectors.browse_listings()
    with pytest.raises(ValidationError, match="Only a draft can be published"):
        services.publish_listing(draft, **details())


def test_publishing_without_what_buyers_need_says_what_is_missing_and_changes_nothing(draft):
    with pytest.raises(ValidationError) as error:
        services.publish_listing(draft, title="Red blazer")
    assert error.value.message_dict == {"category": ["Choose a category."],
                                        "price": ["Enter a price."]}
    assert draft.is_draft  # the instance, shown again with the errors
    draft.refresh_from_db()
    assert draft.is_draft and draft.title == ""


def test_publishing_a_draft_a_moderator_just_hid_keeps_it_hidden(draft):
    stale = Listing.objects.get(pk=draft.pk)  # read before the moderator's action
    services.hide_listings([draft], "Counterfeit")
    services.publish_listing(stale, **details())
    draft.refresh_from_db()
    assert (draft.status, draft.is_hidden, draft.hidden_reason) == ("active", True, "Counterfeit")


def test_drafts_are_not_in_browse_or_the_api_and_only_their_seller_opens_them(
        client, api, seller, buyer, draft, listing, add_photo):
    services.update_listing(draft, title="Secret draft")
    add_photo(draft)
    assert "Secret draft" not in client.get(reverse("listings:browse")).content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(buyer)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("photos:manage", args=[draft.pk])).status_code == 404

    body = api.get("/api/v1/listings/").json()
    assert [item["id"] for item in body["results"]] == [listing.pk]
    assert api.get(f"/api/v1/listings/{draft.pk}/").status_code == 404
    assert token_client(buyer).get(f"/api/v1/listings/{draft.pk}/").status_code == 404
    assert token_client(buyer).get(f"/api/v1/listings/{draft.pk}/photos/").status_code == 404
    assert token_client(buyer).get("/api/v1/listings/mine/").json()["results"] == []

    own = token_client(seller).get(f"/api/v1/listings/{draft.pk}/").json()
    assert (own["status"], own["category"], own["price"]) == ("draft", None, None)
    mine = token_client(seller).get("/api/v1/listings/mine/").json()["results"]
    assert {item["id"] for item in mine} == {draft.pk, listing.pk}


def test_the_api_still_needs_a_category_title_and_price_to_create(seller):
    response = token_client(seller).post("/api/v1/listings/", {"title": "Bike"}, format="json")
    assert response.status_code == 400 and {"category", "price"} <= set(response.json())
    assert not Listing.objects.exists()


def test_drafts_cannot_be_saved_asked_about_or_sold(seller, buyer, draft):
    services.update_listing(draft, title="Secret draft")
    with pytest.raises(SocialError, match="not available"):
        social.save_listing(buyer, draft)
    with pytest.raises(SocialError, match="No longer for sale: Secret draft"):
        social.create_poll(buyer, "Which one?", [draft])
    with pytest.raises(ValidationError, match="for sale"):
        services.mark_sold(draft)


def test_my_listings_shows_drafts_with_a_finish_link(seller_client, draft, listing):
    page = seller_client.get(reverse("listings:mine")).content.decode()
    finish = reverse("photos:manage", args=[draft.pk])
    assert "Untitled draft" in page and f'href="{finish}">Finish listing</a>' in page
    assert 'badge--draft">Draft</span>' in page and "No price yet" in page
    # Its edit link and listing page lead there too (nothing is lost: no draft is deleted).
    assert seller_client.get(reverse("listings:edit", args=[draft.pk])).url == finish
    detail = seller_client.get(draft.get_absolute_url()).content.decode()
    assert f'href="{finish}">Finish listing</a>' in detail


def test_a_seller_may_remove_a_draft_and_it_stays_as_it_was(seller_client, seller, draft):
    response = seller_client.post(reverse("listings:delete", args=[draft.pk]), follow=True)
    assert "“Untitled draft” was removed" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.title, draft.category) == ("removed", "", None)
    with pytest.raises(IntegrityError, match="listing_complete_unless_draft"), transaction.atomic():
        Listing.objects.filter(pk=draft.pk).update(status=Listing.Status.ACTIVE)
    other = services.create_draft(seller)
    assert token_client(seller).delete(f"/api/v1/listings/{other.pk}/").status_code == 204


def test_pages_of_a_draft_without_a_title_name_it(seller_client, draft):
    capture = seller_client.get(reverse("spins:capture", args=[draft.pk])).content.decode()
    assert "Rotating view for “Untitled draft”" in capture and "“”" not in capture
    services.remove_listing(draft)  # no longer a draft: its photo page is the usual one
    photos = seller_client.get(reverse("photos:manage", args=[draft.pk])).content.decode()
    assert "Photos of “Untitled draft”" in photos and "“”" not in photos
