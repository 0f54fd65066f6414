from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils.timezone import localtime

from marketplace.listings import services
from marketplace.listings.models import Listing

CHANGELIST = reverse("admin:listings_listing_changelist")


def test_hide_asks_for_a_reason_then_hides(admin_client, client, listing, make_listing):
    other = make_listing("Untouched")
    ask = admin_client.post(CHANGELIST, {"action": "hide", ACTION_CHECKBOX_NAME: [listing.pk]})
    assert ask.status_code == 200 and "reason" in ask.content.decode()
    listing.refresh_from_db()
    assert not listing.is_hidden  # nothing happens before the reason is given
    no_reason = admin_client.post(CHANGELIST, {
        "action": "hide", ACTION_CHECKBOX_NAME: [listing.pk], "apply": "1", "reason": ""})
    assert no_reason.status_code == 200 and "This field is required" in no_reason.content.decode()
    done = admin_client.post(CHANGELIST, {
        "action": "hide", ACTION_CHECKBOX_NAME: [listing.pk], "apply": "1", "reason": "Counterfeit"})
    assert done.status_code == 302
    listing.refresh_from_db()
    other.refresh_from_db()
    assert (listing.is_hidden, listing.hidden_reason, listing.status) == (True, "Counterfeit", "active")
    assert not other.is_hidden
    assert client.get(listing.get_absolute_url()).status_code == 404


def test_restore_brings_the_listing_back(admin_client, client, listing):
    services.hide_listings([listing], "Mistake")
    response = admin_client.post(CHANGELIST, {"action": "restore", ACTION_CHECKBOX_NAME: [listing.pk]})
    assert response.status_code == 302
    listing.refresh_from_db()
    assert (listing.is_hidden, listing.hidden_reason) == (False, "")
    assert client.get(listing.get_absolute_url()).status_code == 200


def test_admin_pages_filters_and_search(admin_client, listing, add_photo):
    add_photo(listing)
    assert admin_client.get(CHANGELIST, {"q": "sam"}).context["cl"].result_count == 1
    assert admin_client.get(CHANGELIST, {"q": "nobody"}).context["cl"].result_count == 0
    assert admin_client.get(CHANGELIST, {"is_hidden__exact": "1"}).context["cl"].result_count == 0
    assert admin_client.get(CHANGELIST, {"status__exact": "active"}).context["cl"].result_count == 1
    change = admin_client.get(reverse("admin:listings_listing_change", args=[listing.pk]))
    assert change.status_code == 200 and listing.photos.get().thumbnail.url in change.content.decode()
    for name in ["admin:listings_category_changelist", "admin:accounts_user_changelist"]:
        assert admin_client.get(reverse(name)).status_code == 200


def test_non_staff_cannot_moderate(client, buyer, listing):
    client.force_login(buyer)
    client.post(CHANGELIST, {"action": "hide", ACTION_CHECKBOX_NAME: [listing.pk], "apply": "1",
                             "reason": "x"})
    assert not Listing.objects.get().is_hidden


def test_the_changelist_shows_a_short_title_the_price_and_the_state(admin_client, make_listing):
    listing = make_listing("Hand-knitted merino wool scarf in deep forest green, never worn",
                           price="1250.00", currency="SEK")
    services.hide_listings([listing], "Spam")
    page = admin_client.get(CHANGELIST).content.decode()
    assert ">Hand-knitted merino wool scarf in deep forest gre…</a>" in page
    assert '<td class="field-price_display">1,250.00 SEK</td>' in page
    assert '<td class="field-state">Hidden</td>' in page
    assert f'<td class="field-created_at">{localtime(listing.created_at).date()}</td>' in page
