"""The suggestions panel on a listing's edit page, in headless Chromium: its refresh never wipes
what the seller types into a suggestion, and Accept asks before unsaved listing edits are lost."""
import pytest
from django.urls import reverse

from tests.search.helpers import bare_photo, tags, unit_vector

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_panel_keeps_what_the_seller_types_and_accept_warns_about_unsaved_edits(
        phone, seller, make_listing, analysed):
    listing = make_listing("Untitled", "shoes")
    analysed(bare_photo(listing), unit_vector(1), tags("outerwear", "blue", materials="denim"))
    bare_photo(listing)  # not analysed yet: the panel refreshes itself every 2 s
    phone.log_in(seller)
    phone.open(reverse("listings:edit", args=[listing.pk]))
    status_url = reverse("search:analysis-status", args=[listing.pk])
    title = phone.locator(".vision-panel form:has(input[name=field][value=title]) "
                          "input[name=value]")

    def after_a_refresh() -> str:
        with phone.expect_response(lambda response: status_url in response.url):
            pass
        phone.wait_for_timeout(300)  # the response handler has run
        return title.input_value()

    title.fill("Navy denim jacket")
    assert after_a_refresh() == "Navy denim jacket"  # typing: the box has focus
    phone.locator("h1").click()
    assert after_a_refresh() == "Navy denim jacket"  # typed, then looked elsewhere

    dialogs = []
    phone.fill("#id_price", "75")  # not saved
    phone.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    title.locator("xpath=ancestor::form").locator("button").click()
    phone.wait_for_timeout(500)
    assert "not saved yet" in dialogs[0]
    listing.refresh_from_db()
    assert listing.title == "Untitled" and phone.input_value("#id_price") == "75"

    phone.once("dialog", lambda dialog: dialog.accept())
    with phone.expect_navigation():
        title.locator("xpath=ancestor::form").locator("button").click()
    listing.refresh_from_db()
    assert listing.title == "Navy denim jacket" and listing.price == 50
