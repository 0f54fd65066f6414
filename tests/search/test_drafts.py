"""Selling from photos: "Sell" starts a draft from photos, its photo page fills the listing in from
the model's suggestions, and publishing keeps the seller's answers as training labels. Drafts
are never found: not by text, not by photo, not as similar items."""
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from django.core.exceptions import PermissionDenied

from marketplace.listings.models import Listing
from marketplace.listings.services import update_listing
from marketplace.photos.models import Photo
from marketplace.search import services, views
from marketplace.search.models import ListingTag, ListingVector, PhotoAnalysis, TrainingLabel
from marketplace.search.selectors import search_by_embedding, similar_listings, text_search
from tests.search.helpers import bare_photo, jpeg_bytes, publish_data, tags, unit_vector


def jpeg(name="item.jpg", data=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data or jpeg_bytes(), "image/jpeg")


def test_sell_starts_with_photos_and_offers_the_details_first_path(client, seller):
    start = reverse("photos:start")
    assert client.get(start).url.startswith(reverse("accounts:login"))
    client.force_login(seller)
    page = client.get(start).content.decode()
    assert 'type="file"' in page and 'accept="image/*,.heic,.heif"' in page and "multiple" in page
    assert "Take or choose photos" in page and f'href="{reverse("listings:create")}"' in page
    nav = client.get(reverse("listings:browse")).content.decode()
    assert f'class="button" href="{start}">Sell</a>' in nav


def test_photos_start_a_draft_and_lead_to_its_page(client, seller, media_root):
    client.force_login(seller)
    response = client.post(reverse("photos:start"), {"images": [jpeg(), jpeg("b.jpg")]})
    draft = Listing.objects.get()
    assert draft.is_draft and draft.seller == seller and draft.photos.count() == 2
    assert response.url == reverse("photos:manage", args=[draft.pk])
    page = client.get(response.url).content.decode()
    assert "Your new listing" in page and "only you can see it" in page
    assert "Analysing photos: 0 of 2" in page and 'class="form draft-form"' in page
    assert "Publish listing" in page


@pytest.mark.parametrize("images, message", [
    ([], "Choose at least one photo"),
    ([jpeg(), jpeg("bad.jpg", b"not an image")], "“bad.jpg”"),
])
def test_a_refused_start_keeps_nothing(client, seller, media_root, images, message):
    client.force_login(seller)
    response = client.post(reverse("photos:start"), {"images": images})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Listing.objects.exists() and not Photo.objects.exists()


def test_the_draft_page_fills_the_form_in_from_the_suggestions(client, seller, suggested_draft):
    client.force_login(seller)
    page = client.get(reverse("photos:manage", args=[suggested_draft.pk])).content.decode()
    form = page[page.index('class="form draft-form"'):page.index("Publish listing")]
    assert re.search(r'<option value="outerwear" selected>', form)
    assert re.search(r'name="title" value="Blue denim jacket"[^>]*data-suggested', form)
    assert 'name="tag_colour" value="blue"' in form and 'name="tag_materials" value="denim"' in form
    assert 'name="field"' not in page  # no Accept per suggestion: publishing answers them
    # What the panel's refresh swaps in once the photos are analysed.
    html = client.get(reverse("search:analysis-status", args=[suggested_draft.pk])).json()["html"]
    assert 'name="title" value="Blue denim jacket"' in html


def test_publishing_records_the_accepted_and_edited_suggestions_as_labels(
        client, seller, suggested_draft):
    client.force_login(seller)
    response = client.post(reverse("search:publish-draft", args=[suggested_draft.pk]), publish_data(
        title="Navy denim jacket", tag_colour="Navy", tag_materials=""))
    assert response.url == suggested_draft.get_absolute_url()
    listing = Listing.objects.get()
    assert (listing.status, listing.title, listing.category.slug, listing.price) == (
        "active", "Navy denim jacket", "outerwear", 35)
    labels = {label.field: label for label in TrainingLabel.objects.all()}
    assert set(labels) == {"category", "title", "colour"}  # the emptied box is no answer
    assert labels["category"].accepted and labels["category"].model_version == "test-version-1"
    assert (labels["title"].model_value, labels["title"].seller_value) == (
        "Blue denim jacket", "Navy denim jacket")
    assert (labels["colour"].model_value, labels["colour"].seller_value) == ("blue", "Navy")
    assert {tag.name: tag.value for tag in ListingTag.objects.all()} == {"colour": "navy"}
    # Published: no form any more, and a second publish changes nothing.
    again = client.post(reverse("search:publish-draft", args=[listing.pk]), publish_data())
    assert again.url == listing.get_absolute_url() and TrainingLabel.objects.count() == 3


def test_publishing_without_a_price_says_so_and_records_nothing(client, seller, suggested_draft):
    client.force_login(seller)
    response = client.post(reverse("search:publish-draft", args=[suggested_draft.pk]),
                           publish_data(price="", title=""))
    page = response.content.decode()
    assert response.status_code == 400 and "Enter a price." in page
    assert "Give your listing a title." in page and "Your new listing" in page
    assert 'name="tag_colour" value="blue"' in page  # what the seller sent, shown again
    suggested_draft.refresh_from_db()
    assert suggested_draft.is_draft and suggested_draft.category is None
    assert not TrainingLabel.objects.exists() and not ListingTag.objects.exists()


def test_only_the_seller_publishes(client, buyer, suggested_draft):
    client.force_login(buyer)
    response = client.post(reverse("search:publish-draft", args=[suggested_draft.pk]),
                           publish_data())
    assert response.status_code == 404
    suggested_draft.refresh_from_db()
    assert suggested_draft.is_draft and not TrainingLabel.objects.exists()


def test_only_the_seller_publishes_through_the_service_too(seller, buyer, suggested_draft,
                                                           categories):
    with pytest.raises(PermissionDenied):
        services.publish_draft(suggested_draft, buyer, {"title": "Mine now", "price": 1,
                                                        "category": categories["outerwear"]},
                               {"colour": "red"})
    suggested_draft.refresh_from_db()
    assert suggested_draft.is_draft and suggested_draft.title == ""
    assert not TrainingLabel.objects.exists() and not ListingTag.objects.exists()


@pytest.mark.parametrize("name", ["search:publish-draft", "search:save-draft"])
def test_a_second_click_after_publishing_leads_to_the_listing(
        client, seller, suggested_draft, monkeypatch, name):
    """Both requests of a double click (or two tabs) read the listing while it was a draft; the
    second one's write finds it published and is undone, and says so rather than showing the
    photo page with its form gone."""
    client.force_login(seller)
    stale = Listing.objects.get(pk=suggested_draft.pk)
    client.post(reverse("search:publish-draft", args=[suggested_draft.pk]), publish_data())
    monkeypatch.setattr(views, "listing_for_seller", lambda user, pk: stale)
    response = client.post(reverse(name, args=[suggested_draft.pk]),
                           publish_data(title="Changed"), follow=True)
    assert response.redirect_chain == [(suggested_draft.get_absolute_url(), 302)]
    assert "no draft any more" in response.content.decode()
    listing = Listing.objects.get()
    assert (listing.status, listing.title) == ("active", "Blue denim jacket")
    assert TrainingLabel.objects.count() == 4  # the first click's answers only


def test_a_suggestion_gone_while_publishing_asks_the_seller_to_check_again(
        client, seller, suggested_draft, monkeypatch):
    """The worker may re-analyse the photos between the page's reading of the suggestions and
    the publish's: the form comes back with a clear error (not a server error), nothing
    written, and the next publish goes through."""
    client.force_login(seller)
    read_suggestions = services.listing_suggestions

    def analysed_again_meanwhile(listing):
        PhotoAnalysis.objects.filter(photo__listing=listing).update(
            tags=tags("outerwear", "blue"))  # no material any more
        return read_suggestions(listing)

    monkeypatch.setattr(services, "listing_suggestions", analysed_again_meanwhile)
    response = client.post(reverse("search:publish-draft", args=[suggested_draft.pk]),
                           publish_data())
    assert response.status_code == 400
    assert "changed while you were publishing" in response.content.decode()
    suggested_draft.refresh_from_db()
    assert suggested_draft.is_draft and suggested_draft.title == ""
    assert not TrainingLabel.objects.exists() and not ListingTag.objects.exists()

    monkeypatch.undo()
    again = client.post(reverse("search:publish-draft", args=[suggested_draft.pk]),
                        publish_data(tag_materials=""))
    assert again.status_code == 302
    suggested_draft.refresh_from_db()
    assert suggested_draft.status == "active"


def test_drafts_are_never_found_by_text_photo_or_as_similar_items(
        make_listing, suggested_draft, analysed):
    update_listing(suggested_draft, title="Denim jacket")
    listing = make_listing("Denim coat")
    analysed(bare_photo(listing), unit_vector(1))  # the draft's very vector
    assert ListingVector.objects.filter(listing=suggested_draft).exists()
    assert [match.listing for match in search_by_embedding(unit_vector(1))] == [listing]
    assert list(text_search("denim")) == [listing]
    assert similar_listings(listing) == []

    suggested_draft.status = Listing.Status.ACTIVE  # published (as publish_listing does)
    suggested_draft.category = listing.category
    suggested_draft.price = 10
    suggested_draft.save()
    assert similar_listings(listing) == [suggested_draft]
    assert set(text_search("denim")) == {listing, suggested_draft}
