"""Saving a draft for later ("Save draft" on its photo page, also sent by the page's script before
it reloads): what the seller typed is kept without publishing, nothing is answered yet, and the
suggestions never overwrite a saved value."""
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from marketplace.listings.models import Listing
from marketplace.listings.services import publish_listing
from marketplace.search.models import DraftTag, ListingTag, TrainingLabel
from marketplace.search.services import save_draft
from tests.search.helpers import bare_photo, publish_data, tags, unit_vector


def draft_form(page: str) -> str:
    return page[page.index('class="form draft-form"'):page.index("Save draft")]


def box(form: str, name: str) -> str:
    """The <input> named `name` in the form's HTML."""
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', form).group(0)


def saved_state(listing: Listing) -> tuple:
    listing.refresh_from_db()
    return (listing.status, listing.title, listing.price, listing.location,
            dict(DraftTag.objects.filter(listing=listing).values_list("name", "value")))


# -- the service --------------------------------------------------------------------------------
def test_saving_a_partial_draft_keeps_it_a_draft_and_answers_nothing(seller, suggested_draft):
    save_draft(suggested_draft, seller, {"price": Decimal("12.50"), "location": "Leeds"},
               {"colour": "navy", "materials": "", "pattern": None})
    assert saved_state(suggested_draft) == (
        "draft", "", Decimal("12.50"), "Leeds", {"colour": "navy", "materials": ""})
    assert suggested_draft.category is None and not suggested_draft.is_public
    assert not TrainingLabel.objects.exists() and not ListingTag.objects.exists()

    # A box the seller put back to the suggestion follows the suggestions again.
    save_draft(suggested_draft, seller, {}, {"colour": None})
    assert saved_state(suggested_draft)[-1] == {"materials": ""}


@pytest.mark.parametrize("price", [Decimal("-1"), "cheap"])
def test_a_bad_price_is_refused_and_nothing_changes(seller, suggested_draft, price):
    save_draft(suggested_draft, seller, {"title": "Old title"}, {"colour": "navy"})
    before = saved_state(suggested_draft)
    with pytest.raises(ValidationError) as error:
        save_draft(suggested_draft, seller, {"title": "New title", "price": price},
                   {"colour": "red"})
    assert set(error.value.message_dict) == {"price"}
    assert saved_state(suggested_draft) == before


def test_only_the_seller_saves_and_only_a_draft(seller, buyer, suggested_draft, categories):
    with pytest.raises(PermissionDenied):
        save_draft(suggested_draft, buyer, {"title": "Mine now"}, {"colour": "red"})
    assert saved_state(suggested_draft) == ("draft", "", None, "", {})

    publish_listing(suggested_draft, title="Jacket", price=Decimal("5"),
                    category=categories["outerwear"])
    with pytest.raises(ValidationError, match="Only a draft can be saved for later"):
        save_draft(suggested_draft, seller, {"title": "Changed"}, {})
    assert saved_state(suggested_draft)[:2] == ("active", "Jacket")


# -- on the web ---------------------------------------------------------------------------------
def test_saved_values_come_back_when_the_page_is_opened_again(client, seller, suggested_draft):
    client.force_login(seller)
    page_url = reverse("photos:manage", args=[suggested_draft.pk])
    save_url = reverse("search:save-draft", args=[suggested_draft.pk])
    assert f'formaction="{save_url}"' in client.get(page_url).content.decode()  # works without JS

    response = client.post(save_url, publish_data(
        title="Grandpa's jacket", price="", description="Worn twice.", location="Leeds",
        tag_colour="Navy", tag_materials=""), follow=True)
    assert response.redirect_chain == [(page_url, 302)]
    assert "Draft saved." in response.content.decode()
    assert saved_state(suggested_draft) == (
        "draft", "Grandpa's jacket", None, "Leeds", {"colour": "Navy", "materials": ""})
    # The category still held the suggestion: it is not saved, and goes on following it.
    assert suggested_draft.category is None and not TrainingLabel.objects.exists()

    form = draft_form(client.get(page_url).content.decode())
    assert 'value="Grandpa&#x27;s jacket"' in box(form, "title")
    assert "data-suggested" not in box(form, "title")
    assert 'value="Leeds"' in box(form, "location") and "Worn twice.</textarea>" in form
    assert 'value="Navy"' in box(form, "tag_colour")
    assert "data-suggested" not in box(form, "tag_colour")
    assert "value=" not in box(form, "tag_materials")  # emptied: left out, not suggested again
    assert re.search(r'<select name="category"[^>]*data-suggested', form)
    assert '<option value="outerwear" selected>' in form


def test_new_suggestions_never_overwrite_saved_values(client, seller, draft, analysed):
    photo = bare_photo(draft)
    client.force_login(seller)
    client.post(reverse("search:save-draft", args=[draft.pk]),
                publish_data(title="My jacket", category="", tag_colour="", tag_materials=""))
    assert saved_state(draft)[-1] == {}  # no suggestion yet, so no box to save

    analysed(photo, unit_vector(1), tags("outerwear", "blue", materials="denim"))
    client.post(reverse("search:save-draft", args=[draft.pk]),
                publish_data(title="My jacket", tag_colour="Navy"))
    analysed(bare_photo(draft), unit_vector(2), tags("outerwear", "blue", materials="denim"))
    for html in (client.get(reverse("photos:manage", args=[draft.pk])).content.decode(),
                 client.get(reverse("search:analysis-status", args=[draft.pk])).json()["html"]):
        form = draft_form(html)
        assert 'value="My jacket"' in box(form, "title")
        assert "data-suggested" not in box(form, "title")
        assert 'value="Navy"' in box(form, "tag_colour")
        assert 'value="denim"' in box(form, "tag_materials")  # a suggestion, never saved


@pytest.mark.parametrize("price, message", [
    ("-5", "Ensure this value is greater than or equal to 0."),
    ("ten", "Enter a number."),
])
def test_a_bad_price_is_shown_and_nothing_is_saved(client, seller, suggested_draft, price, message):
    client.force_login(seller)
    response = client.post(reverse("search:save-draft", args=[suggested_draft.pk]),
                           publish_data(title="My jacket", price=price, tag_colour="Navy"))
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    assert 'value="My jacket"' in page and "Draft saved." not in page  # what was sent, shown again
    assert saved_state(suggested_draft) == ("draft", "", None, "", {})


def test_publishing_a_saved_draft_records_the_answers_then(client, seller, suggested_draft):
    client.force_login(seller)
    client.post(reverse("search:save-draft", args=[suggested_draft.pk]),
                publish_data(price="35", tag_colour="Navy"))
    assert not TrainingLabel.objects.exists()
    client.post(reverse("search:publish-draft", args=[suggested_draft.pk]),
                publish_data(tag_colour="Navy"))
    labels = {label.field: label for label in TrainingLabel.objects.all()}
    assert set(labels) == {"category", "title", "colour", "materials"}
    assert labels["title"].accepted and labels["colour"].seller_value == "Navy"
    assert not DraftTag.objects.exists()  # answered now


def test_only_the_seller_saves_on_the_web(client, buyer, suggested_draft):
    client.force_login(buyer)
    response = client.post(reverse("search:save-draft", args=[suggested_draft.pk]),
                           publish_data(title="Mine now"))
    assert response.status_code == 404
    assert saved_state(suggested_draft) == ("draft", "", None, "", {})
