"""`manage.py export_training_data`: the sellers' listings and answers as a training folder."""
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from marketplace.accounts.models import User
from marketplace.listings.models import Listing
from marketplace.listings.services import hide_listings, mark_sold, remove_listing
from marketplace.photos.models import Photo
from marketplace.photos.services import process_photo
from marketplace.search.services import answer_suggestion
from tests.search.helpers import jpeg_bytes, tags, unit_vector
from vision.datasets import load


@pytest.fixture
def ready_photo(make_photo):
    """A photo with its renditions made, as the photo worker leaves it."""
    def make(listing, colour=(200, 30, 30), position=0):
        photo = make_photo(listing, jpeg_bytes(colour), position=position)
        process_photo(photo)
        assert photo.status == Photo.Status.DONE
        return photo
    return make


@pytest.fixture
def shop(seller, make_listing, make_photo, ready_photo, analysed):
    """Listings in every state; the t-shirt's seller answered the model's suggestions."""
    shirt = make_listing("Cotton tee", "t-shirts", description="Soft and washed, barely worn.")
    shirt_photos = [ready_photo(shirt, (30, 60, 190), 1), ready_photo(shirt, (40, 70, 200), 2)]
    make_photo(shirt, jpeg_bytes(), position=3)  # still pending
    broken = make_photo(shirt, b"not an image", position=4)
    process_photo(broken)
    assert broken.status == Photo.Status.FAILED
    analysed(shirt_photos[0], unit_vector(1), tags("t-shirts", "red"))
    answer_suggestion(shirt, seller, "category", "shirts")  # edits the model's t-shirts
    answer_suggestion(shirt, seller, "colour", "green")
    answer_suggestion(shirt, seller, "colour", "Navy")  # the latest answer wins
    answer_suggestion(shirt, seller, "title", "Cotton tee with print")

    dress = mark_sold(make_listing("Summer dress", "dresses", description="Linen, pink."))
    dress_photo = ready_photo(dress, (220, 120, 170))
    removed = remove_listing(make_listing("Old coat", "outerwear"))
    hidden = make_listing("Fake bag", "bags")
    hide_listings([hidden], "counterfeit")
    gone = User.objects.create_user("gone", is_active=False)
    of_gone = make_listing("Hat", "hats", seller=gone)
    excluded = [ready_photo(listing) for listing in (removed, hidden, of_gone)]
    return {"shirt": shirt, "shirt_photos": shirt_photos, "dress": dress,
            "dress_photo": dress_photo, "excluded": excluded}


def manifest(folder):
    return [json.loads(line) for line in (folder / "manifest.jsonl").read_text().splitlines()]


def test_exports_public_listings_processed_photos_and_the_sellers_answers(shop, tmp_path):
    out = tmp_path / "export"
    call_command("export_training_data", str(out))

    rows = manifest(out)
    shirt, dress = shop["shirt"], shop["dress"]
    expected = [*shop["shirt_photos"], shop["dress_photo"]]
    assert [row["photo"] for row in rows] == [f"photos/{p.pk}.jpg" for p in expected]
    assert sorted(p.name for p in (out / "photos").iterdir()) == sorted(
        f"{p.pk}.jpg" for p in expected)
    for photo in expected:  # the display rendition (no EXIF/GPS), never the private original
        with photo.display.open("rb") as display:
            assert (out / "photos" / f"{photo.pk}.jpg").read_bytes() == display.read()
    first = rows[0]
    assert (first["listing"], first["title"], first["category"]) == (
        shirt.pk, "Cotton tee with print", "shirts")
    assert first["description"] == "Soft and washed, barely worn."
    assert first["confirmed"] == {"category": "shirts", "colour": "Navy"}
    assert rows[-1]["listing"] == dress.pk and rows[-1]["confirmed"] == {}
    info = json.loads((out / "export.json").read_text())
    assert (info["listings"], info["photos"]) == (2, 3)

    # what training reads: the seller's edit beats the model's value and the text
    samples = load("marketplace", out)
    shirt_labels = [s.labels for s in samples if s.labels["identity"] == f"listing-{shirt.pk}"]
    assert len(shirt_labels) == 2
    assert shirt_labels[0]["category"] == "shirts"  # text "tee" says t-shirts, so did the model
    assert shirt_labels[0]["colours"] == {"blue"}  # navy; not the model's red, not green
    assert shirt_labels[0]["materials"] == {"cotton"}
    [dress_sample] = [s for s in samples if s.labels["identity"] == f"listing-{dress.pk}"]
    assert dress_sample.labels["category"] == "dresses"
    assert dress_sample.labels["colours"] == {"pink"}


def test_only_confirmed_and_since(shop, tmp_path):
    call_command("export_training_data", str(tmp_path / "confirmed"), "--only-confirmed")
    assert {row["listing"] for row in manifest(tmp_path / "confirmed")} == {shop["shirt"].pk}

    dress = shop["dress"]
    long_ago = timezone.now() - timedelta(days=30)
    Listing.objects.filter(pk=dress.pk).update(updated_at=long_ago)
    Photo.objects.filter(listing=dress).update(created_at=long_ago)
    today = timezone.localdate().isoformat()
    call_command("export_training_data", str(tmp_path / "recent"), "--since", today)
    assert {row["listing"] for row in manifest(tmp_path / "recent")} == {shop["shirt"].pk}

    call_command("export_training_data", str(tmp_path / "older"), "--since",
                 (timezone.localdate() - timedelta(days=40)).isoformat())
    assert {row["listing"] for row in manifest(tmp_path / "older")} == {
        shop["shirt"].pk, dress.pk}


def test_a_seller_answer_counts_as_recent_activity(shop, analysed, seller, tmp_path):
    dress = shop["dress"]
    analysed(shop["dress_photo"], unit_vector(2), tags("dresses", "pink"))
    long_ago = timezone.now() - timedelta(days=30)
    Listing.objects.filter(pk=dress.pk).update(updated_at=long_ago)
    Photo.objects.filter(listing=dress).update(created_at=long_ago)
    answer_suggestion(dress, seller, "colour", "pink")  # a tag: the listing row is untouched
    out = tmp_path / "export"
    call_command("export_training_data", str(out), "--since", timezone.localdate().isoformat())
    assert {row["listing"] for row in manifest(out)} == {shop["shirt"].pk, dress.pk}


def test_re_export_drops_listings_taken_down_since(shop, tmp_path):
    out = tmp_path / "export"
    call_command("export_training_data", str(out))
    hide_listings([shop["shirt"]], "reported")
    call_command("export_training_data", str(out))
    assert [row["photo"] for row in manifest(out)] == [f"photos/{shop['dress_photo'].pk}.jpg"]
    assert [p.name for p in (out / "photos").iterdir()] == [f"{shop['dress_photo'].pk}.jpg"]


def test_refuses_a_folder_that_is_not_an_export(shop, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    with pytest.raises(CommandError, match="not a training export"):
        call_command("export_training_data", str(mine))
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_an_interrupted_export_can_be_run_again(shop, tmp_path):
    out = tmp_path / "export"
    (out / "photos").mkdir(parents=True)
    (out / "photos" / "999999.jpg").write_bytes(b"half a file")
    (out / "manifest.partial").write_text('{"photo": "photos/9')
    call_command("export_training_data", str(out))
    assert len(manifest(out)) == 3 and not (out / "manifest.partial").exists()
    assert "999999.jpg" not in {p.name for p in (out / "photos").iterdir()}


def test_a_missing_rendition_is_skipped_and_reported(shop, tmp_path, capsys):
    missing = shop["shirt_photos"][0]
    missing.display.storage.delete(missing.display.name)
    out = tmp_path / "export"
    call_command("export_training_data", str(out))
    assert [row["photo"] for row in manifest(out)] == [
        f"photos/{shop['shirt_photos'][1].pk}.jpg", f"photos/{shop['dress_photo'].pk}.jpg"]
    assert f"could not be read: [{missing.pk}]" in capsys.readouterr().err
