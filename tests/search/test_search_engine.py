"""Photo search and reindexing with the real engine (in this process; no worker needed)."""
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from marketplace.search.engine import get_engine
from marketplace.search.models import ActiveModel, ListingVector, PhotoAnalysis
from marketplace.search.selectors import (
    SIMILAR_MAX_DISTANCE, active_model_version, search_by_embedding)
from marketplace.search.services import analyse_photos
from tests.conftest import ROOT
from tests.search.helpers import jpeg_bytes

PHOTOS = ROOT / "tests" / "vision" / "data"
T_SHIRT = (PHOTOS / "tshirt_white.jpg").read_bytes()
CARDIGAN = (PHOTOS / "cardigan_black.jpg").read_bytes()
APPLE = (PHOTOS / "apple_granny_smith.jpg").read_bytes()
# The walkthrough's photo: a banana got a hoodie as its second result, and every listing after.
BANANA = (ROOT / "marketplace" / "listings" / "demo" / "photos" / "grocery-banana-1.jpg"
          ).read_bytes()


def photo(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("q.jpg", data, "image/jpeg")


@pytest.fixture
def indexed(make_listing, make_photo):
    """Three listings analysed by the engine the site runs. From the T-shirt's photo (shipped
    model), the cardigan's lies at a cosine distance of 0.38, a similar item, the apples' at
    1.03, none; from the banana's, all three lie at 0.94 or more."""
    shirt = make_listing("White graphic T-shirt", "t-shirts", price=8)
    cardigan = make_listing("Black cardigan", "long-sleeves", price=30)
    apples = make_listing("Granny Smith apples", "fruit", price=3)
    photos = [make_photo(shirt, T_SHIRT), make_photo(cardigan, CARDIGAN),
              make_photo(apples, APPLE)]
    analyse_photos([photo.pk for photo in photos], get_engine())
    return shirt, cardigan, apples


def test_api_finds_the_exact_item_then_similar_ones(client, indexed):
    shirt, cardigan, apples = indexed
    response = client.post("/api/v1/search/image/", {"image": photo(T_SHIRT)})
    assert response.status_code == 200
    body = response.json()
    assert body["took_ms"] > 0 and body["model_version"] == get_engine().model_version
    first, second = body["results"]  # the apples are no similar item
    assert first["listing"]["id"] == shirt.pk and first["exact_match"]
    assert "colour: white" in first["shared_attributes"]
    assert second["listing"]["id"] == cardigan.pk and not second["exact_match"]
    assert first["distance"] < second["distance"] <= SIMILAR_MAX_DISTANCE
    assert body["query"]["colour"]["label"] == "white"


def test_api_filters_combine_with_photo_search(client, indexed):
    shirt, cardigan, apples = indexed
    response = client.post("/api/v1/search/image/", {
        "image": photo(T_SHIRT), "category": "fashion", "min_price": "20"})
    assert [r["listing"]["id"] for r in response.json()["results"]] == [cardigan.pk]
    # The apples pass this filter, but a filter never makes an unlike listing similar.
    response = client.post("/api/v1/search/image/", {
        "image": photo(T_SHIRT), "category": "food-drink"})
    assert response.status_code == 200 and response.json()["results"] == []
    bad = client.post("/api/v1/search/image/", {"image": photo(T_SHIRT), "condition": "mint"})
    assert bad.status_code == 400 and "condition" in bad.json()


def test_a_photo_unlike_every_listing_finds_no_similar_listings(client, indexed):
    response = client.post("/api/v1/search/image/", {"image": photo(BANANA)})
    body = response.json()
    assert response.status_code == 200 and body["results"] == []
    assert body["took_ms"] > 0 and body["query"]["category"]["label"] == "fruit"
    response = client.post(reverse("search:search"), {"image": photo(BANANA)})
    page = response.content.decode()
    assert response.status_code == 200 and "No similar listings found." in page
    assert not any(listing.title in page for listing in indexed)
    assert '<article class="card' not in page


def test_a_photo_the_model_cannot_decode_is_a_clear_400(client, db):
    photo = jpeg_bytes((90, 90, 90), size=(400, 300), stripe=(255, 200, 0))
    truncated = SimpleUploadedFile("q.jpg", photo[:len(photo) // 2], "image/jpeg")
    response = client.post("/api/v1/search/image/", {"image": truncated})
    assert response.status_code == 400
    # In the upload check's words (shared, not copied), not Pillow's ("image file is truncated").
    from marketplace.photos.validation import DAMAGED_IMAGE

    assert response.json()["image"] == [DAMAGED_IMAGE[0].upper() + DAMAGED_IMAGE[1:]]
    assert response.json()["image"] == ["The image is damaged or incomplete and could not be "
                                        "decoded."]


def test_web_photo_search_marks_the_exact_match(client, indexed):
    response = client.post(reverse("search:search"), {"image": photo(T_SHIRT)})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Exact match") == 1 and page.count('<article class="card') == 2
    assert page.index("White graphic T-shirt") < page.index("Black cardigan")
    assert "Granny Smith apples" not in page and "No similar listings" not in page
    assert "Why this match" in page
    assert re.search(r"In your photo: [^<]*\bwhite\b", page)


def test_reindex_fills_the_new_version_then_switches(indexed, capsys):
    shirt, *_ = indexed
    current = get_engine().model_version
    # Pretend the stored vectors came from an older model that the site still serves.
    PhotoAnalysis.objects.update(model_version="older-model")
    ListingVector.objects.update(model_version="older-model")
    ActiveModel(model_version="older-model").save()
    old_embedding = PhotoAnalysis.objects.get(listing=shirt).embedding

    call_command("reindex", "--no-switch", "--batch-size", "1")
    assert active_model_version() == "older-model"  # still serving the old vectors
    assert search_by_embedding(old_embedding)[0].listing == shirt
    assert PhotoAnalysis.objects.filter(model_version=current).count() == 3

    call_command("reindex", "--prune")  # resumes: nothing left to embed, then switches
    output = capsys.readouterr().out
    assert f"Model {current}: 0 photo(s) to analyse" in output
    assert active_model_version() == current
    assert set(PhotoAnalysis.objects.values_list("model_version", flat=True)) == {current}
    assert ListingVector.objects.filter(model_version=current).count() == 3


def test_reindex_refuses_weights_that_do_not_exist(indexed, tmp_path):
    from django.core.management.base import CommandError

    current = get_engine().model_version
    with pytest.raises(CommandError, match="no trained weights at .*typo.pt"):
        call_command("reindex", "--weights", str(tmp_path / "typo.pt"), "--prune")
    assert set(PhotoAnalysis.objects.values_list("model_version", flat=True)) == {current}
    assert ListingVector.objects.filter(model_version=current).count() == 3
