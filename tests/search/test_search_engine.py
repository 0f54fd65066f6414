"""Photo search and reindexing with the real engine (in this process; no worker needed)."""
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from marketplace.search.engine import get_engine
from marketplace.search.models import ActiveModel, ListingVector, PhotoAnalysis
from marketplace.search.selectors import active_model_version, search_by_embedding
from marketplace.search.services import analyse_photos
from tests.search.helpers import jpeg_bytes

RED = jpeg_bytes((210, 20, 30), size=(96, 96))
BLUE_STRIPES = jpeg_bytes((20, 40, 200), size=(96, 96), stripe=(250, 250, 250))


@pytest.fixture
def indexed(make_listing, make_photo):
    """Two listings analysed by the engine the site runs."""
    red = make_listing("Red scarf", "outerwear", price=30)
    blue = make_listing("Striped lamp", "lighting", price=80)
    photos = [make_photo(red, RED), make_photo(blue, BLUE_STRIPES)]
    analyse_photos([photo.pk for photo in photos], get_engine())
    return red, blue


def test_api_finds_the_exact_item_then_similar_ones(client, indexed):
    red, blue = indexed
    response = client.post("/api/v1/search/image/",
                           {"image": SimpleUploadedFile("q.jpg", RED, "image/jpeg")})
    assert response.status_code == 200
    body = response.json()
    assert body["took_ms"] > 0 and body["model_version"] == get_engine().model_version
    first, second = body["results"]
    assert first["listing"]["id"] == red.pk and first["exact_match"]
    assert "colour: red" in first["shared_attributes"]
    assert second["listing"]["id"] == blue.pk and not second["exact_match"]
    assert body["query"]["colour"]["label"] == "red"


def test_api_filters_combine_with_photo_search(client, indexed):
    red, blue = indexed
    response = client.post("/api/v1/search/image/", {
        "image": SimpleUploadedFile("q.jpg", RED, "image/jpeg"), "category": "home-decor",
        "min_price": "50"})
    assert [r["listing"]["id"] for r in response.json()["results"]] == [blue.pk]
    bad = client.post("/api/v1/search/image/", {
        "image": SimpleUploadedFile("q.jpg", RED, "image/jpeg"), "condition": "mint"})
    assert bad.status_code == 400 and "condition" in bad.json()


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
    response = client.post(reverse("search:search"),
                           {"image": SimpleUploadedFile("q.jpg", RED, "image/jpeg")})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Exact match") == 1 and "Red scarf" in page and "Striped lamp" in page
    assert "Why this match" in page
    assert re.search(r"In your photo: [^<]*\bred\b", page)


def test_reindex_fills_the_new_version_then_switches(indexed, capsys):
    red, _ = indexed
    current = get_engine().model_version
    # Pretend the stored vectors came from an older model that the site still serves.
    PhotoAnalysis.objects.update(model_version="older-model")
    ListingVector.objects.update(model_version="older-model")
    ActiveModel(model_version="older-model").save()
    old_embedding = PhotoAnalysis.objects.get(listing=red).embedding

    call_command("reindex", "--no-switch", "--batch-size", "1")
    assert active_model_version() == "older-model"  # still serving the old vectors
    assert search_by_embedding(old_embedding)[0].listing == red
    assert PhotoAnalysis.objects.filter(model_version=current).count() == 2

    call_command("reindex", "--prune")  # resumes: nothing left to embed, then switches
    output = capsys.readouterr().out
    assert f"Model {current}: 0 photo(s) to analyse" in output
    assert active_model_version() == current
    assert set(PhotoAnalysis.objects.values_list("model_version", flat=True)) == {current}
    assert ListingVector.objects.filter(model_version=current).count() == 2


def test_reindex_refuses_weights_that_do_not_exist(indexed, tmp_path):
    from django.core.management.base import CommandError

    current = get_engine().model_version
    with pytest.raises(CommandError, match="no trained weights at .*typo.pt"):
        call_command("reindex", "--weights", str(tmp_path / "typo.pt"), "--prune")
    assert set(PhotoAnalysis.objects.values_list("model_version", flat=True)) == {current}
    assert ListingVector.objects.filter(model_version=current).count() == 2
