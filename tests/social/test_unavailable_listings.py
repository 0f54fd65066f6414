"""A sold, removed, hidden or deleted listing never breaks a poll; its votes still count."""

import pytest
from django.urls import reverse

from marketplace.listings.models import Listing
from marketplace.social import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "change, label",
    [
        ({"status": Listing.Status.SOLD}, "Sold"),
        ({"status": Listing.Status.REMOVED}, "No longer available"),
        ({"is_hidden": True}, "No longer available"),
    ],
)
def test_changed_listing_is_marked(poll, alice, bob, client_for, api_for, change, label):
    red, blue = poll.options.all()
    services.cast_vote(poll, bob, red)
    Listing.objects.filter(pk=red.listing_id).update(**change)
    page = client_for(bob).get(reverse("social:poll", args=[poll.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and label in html and "Red sneakers" in html and "80.00" in html
    option = api_for(alice).get(f"/api/v1/social/polls/{poll.pk}/").json()["options"][0]
    assert option["availability"] == ("sold" if label == "Sold" else "gone")
    assert option["votes"] == 1 and option["title"] == "Red sneakers"


def test_deleted_listing_keeps_last_known_title_and_price(poll, alice, bob, client_for, api_for):
    red, blue = poll.options.all()
    services.cast_vote(poll, bob, red)
    Listing.objects.filter(pk=red.listing_id).delete()
    services.close_poll(poll, alice)
    html = client_for(alice).get(reverse("social:poll", args=[poll.pk])).content.decode()
    assert "No longer available" in html and "Red sneakers" in html and "€80.00" in html
    assert "Your friends picked <strong>Red sneakers</strong>" in html
    data = api_for(alice).get(f"/api/v1/social/polls/{poll.pk}/").json()
    assert data["options"][0] == {
        "id": red.pk,
        "position": 0,
        "listing": None,
        "title": "Red sneakers",
        "price": "80.00",
        "currency": "EUR",
        "availability": "gone",
        "url": None,
        "votes": 1,
    }
    assert data["winners"] == [red.pk]


def test_live_listing_shows_its_current_price(poll, bob, api_for):
    red = poll.options.first()
    Listing.objects.filter(pk=red.listing_id).update(
        price="70.00", title="Red sneakers (worn once)"
    )
    option = api_for(bob).get(f"/api/v1/social/polls/{poll.pk}/").json()["options"][0]
    assert (option["title"], option["price"], option["availability"]) == (
        "Red sneakers (worn once)",
        "70.00",
        "available",
    )
    assert option["url"] == red.listing.get_absolute_url()


def test_voting_for_a_sold_option_still_counts(poll, bob, api_for):
    red = poll.options.first()
    Listing.objects.filter(pk=red.listing_id).update(status=Listing.Status.SOLD)
    response = api_for(bob).post(
        f"/api/v1/social/polls/{poll.pk}/vote/", {"option": red.pk}, format="json"
    )
    assert response.status_code == 200 and response.json()["options"][0]["votes"] == 1
