"""Selling from photos in headless Chromium: "Sell" puts the photos first on a phone and on a
desktop, adding photos on a draft's page keeps what the seller typed, and, with a real worker
and the real model, a seller's photo fills the listing in."""
import pytest
from django.urls import reverse

from marketplace.listings.models import Listing
from marketplace.listings.services import create_draft
from marketplace.search.models import PhotoAnalysis, TrainingLabel
from marketplace.search.selectors import listing_suggestions
from tests.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOODIE = ROOT / "marketplace" / "listings" / "demo" / "photos" / "clothing-hoodie-grey.jpg"


def on_first_screen(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] + box["height"] <= page.viewport_size["height"]


@pytest.mark.parametrize("width, height", [(375, 812), (1280, 800)], ids=["phone", "desktop"])
def test_sell_leads_with_the_photos(new_page, seller, width, height):
    page = new_page(width=width, height=height, user=seller)
    page.open(reverse("listings:browse"))
    page.click(f".site-nav a[href='{reverse('photos:start')}']")
    assert page.url.endswith(reverse("photos:start"))
    assert on_first_screen(page, ".photo-start__pick")
    # The photos are the big filled button; describing the item first is a text link below.
    pick, details = page.locator(".photo-start__pick"), page.locator(".sell-start__details a")
    assert pick.bounding_box()["y"] < details.bounding_box()["y"]
    assert pick.bounding_box()["width"] == page.locator(".sell-start").bounding_box()["width"]
    background = "element => getComputedStyle(element).backgroundColor"
    assert pick.evaluate(background) not in ("rgba(0, 0, 0, 0)", "transparent")
    assert details.evaluate(background) == "rgba(0, 0, 0, 0)"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("price, error", [
    ("18", None), ("-3", "Ensure this value is greater than or equal to 0.")])
def test_adding_photos_to_a_draft_keeps_what_the_seller_typed(
        new_page, seller, categories, media_root, price, error):
    draft = create_draft(seller)
    page = new_page(user=seller)
    page.open(reverse("photos:manage", args=[draft.pk]))
    page.fill(".draft-form [name=title]", "Grey hoodie, hardly worn")
    page.fill(".draft-form [name=price]", price)
    page.set_input_files(".photo-upload input[type=file]", HOODIE)
    with page.expect_navigation():  # the page comes back once the photo is in
        page.click(".photo-upload button[type=submit]")
    page.wait_for_selector(".photo-tile")
    assert page.input_value(".draft-form [name=title]") == "Grey hoodie, hardly worn"
    assert float(page.input_value(".draft-form [name=price]")) == float(price)
    assert draft.photos.count() == 1
    draft.refresh_from_db()
    assert draft.is_draft
    if error:  # refused: the form is shown with the error, and nothing of it is saved
        assert page.locator(".field--price .error").inner_text() == error
        assert draft.title == ""
    else:  # saved as "Save draft" does, so it is there when the seller comes back
        assert (draft.title, draft.price) == ("Grey hoodie, hardly worn", 18)
        page.reload()
        assert page.input_value(".draft-form [name=title]") == "Grey hoodie, hardly worn"


@pytest.mark.worker
def test_a_seller_photographs_an_item_and_the_listing_fills_itself_in(
        phone, seller, categories, media_root, celery_worker_process):
    phone.log_in(seller)
    phone.open(reverse("photos:start"))
    with phone.expect_navigation():
        phone.set_input_files(".photo-start input[type=file]", HOODIE)
    draft = Listing.objects.get()
    assert draft.is_draft and phone.url.endswith(reverse("photos:manage", args=[draft.pk]))

    # The seller may start on the price while the worker analyses the photo: when the panel's
    # refresh brings the suggestions, it keeps what they typed.
    phone.fill(".draft-form [name=price]", "18")
    phone.locator("h1").click()
    phone.wait_for_function(
        "document.querySelector('.draft-form [name=title]').value !== ''", timeout=180_000)
    analysis = PhotoAnalysis.objects.get(listing=draft)
    assert analysis.status == "done" and analysis.category is None  # a draft has none yet
    suggested = listing_suggestions(draft)
    assert phone.input_value(".draft-form [name=category]") == suggested.get("category").value
    assert phone.input_value(".draft-form [name=title]") == suggested.get("title").value
    assert phone.input_value(".draft-form [name=price]") == "18"
    assert phone.input_value(".draft-form [name=tag_colour]") == suggested.get("colour").value

    with phone.expect_navigation():
        phone.click(".draft-form button[type=submit]")
    draft.refresh_from_db()
    assert phone.url.endswith(draft.get_absolute_url())
    assert (draft.status, draft.title, draft.price) == ("active", suggested.get("title").value, 18)
    assert draft.category.slug == suggested.get("category").value
    labels = {label.field: label for label in TrainingLabel.objects.filter(listing=draft)}
    assert {"category", "title", "colour"} <= set(labels)
    assert all(label.accepted for label in labels.values())
    assert PhotoAnalysis.objects.get(listing=draft).category == draft.category  # kept in step
