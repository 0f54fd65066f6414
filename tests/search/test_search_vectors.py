"""Vector search over stored analyses: filters, grouping, exact matches, versions."""
import numpy as np
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from marketplace.listings.models import Listing
from marketplace.search import selectors
from marketplace.search.models import ActiveModel
from marketplace.search.selectors import SearchFilters, search_by_embedding, similar_listings

from tests.search.helpers import (
    TEST_VERSION, at_distance, bare_photo, prediction, tags, unit_vector)

QUERY = unit_vector(0)
# Lamps farther from the query than every coat of the crowd, but similar items still.
LAMPS = [at_distance(1000 + i, QUERY, 0.3 + i / 200) for i in range(40)]


@pytest.fixture
def crowd(make_listing, analysed):
    """150 coats right next to the query and 3 lamps farther from it (`LAMPS`)."""
    coats = []
    for i in range(150):
        listing = make_listing(f"Coat {i}", "outerwear")
        analysed(bare_photo(listing), unit_vector(100 + i, near=QUERY, spread=0.2))
        coats.append(listing)
    lamps = []
    for i in range(3):
        listing = make_listing(f"Lamp {i}", "lighting", price=20 + i)
        analysed(bare_photo(listing), LAMPS[i], tags("lighting", "white"))
        lamps.append(listing)
    return coats, lamps


def plan_of_search(embedding, filters) -> tuple[list, str]:
    """Run a photo search with the planner pushed to indexes, as on a big table.

    Returns the matches and the Postgres plan of its vector query.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_sort = off")
    with CaptureQueriesContext(connection) as queries:
        found = search_by_embedding(embedding, filters)
    # The last vector query is the one whose rows were kept (a category's code ranking may
    # come first and fall back to the index walk).
    search_sql = [query["sql"] for query in queries if "<=>" in query["sql"]][-1]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        cursor.execute("EXPLAIN " + search_sql)
        return found, " ".join(row[0] for row in cursor.fetchall())


def walk_the_index_past_the_first_candidates(monkeypatch):
    """Filtered searches walk HNSW (never the exact path) with a first candidate list shorter
    than the crowd of 150 coats, as on a big table."""
    monkeypatch.setattr(selectors, "EXACT_SEARCH_MAX_ROWS", 0)
    monkeypatch.setattr(selectors, "FILTERED_EF_SEARCH", 40)


def test_filter_keeps_results_when_all_nearest_neighbours_are_filtered_out(
        crowd, categories, monkeypatch):
    coats, lamps = crowd
    walk_the_index_past_the_first_candidates(monkeypatch)
    found, plan = plan_of_search(QUERY, SearchFilters(category=categories["home-decor"]))
    # The 150 coats nearer to the query than any lamp fill HNSW's first candidate list:
    # only the iterative scan goes on to find the lamps.
    assert "photoanalysis_embedding_hnsw" in plan
    assert {match.listing for match in found} == set(lamps)


def test_filtered_index_search_fills_the_page_with_the_nearest_matches(
        crowd, make_listing, analysed, categories, monkeypatch):
    coats, lamps = crowd
    for i in range(3, 40):
        listing = make_listing(f"Lamp {i}", "lighting")
        analysed(bare_photo(listing), LAMPS[i], tags("lighting", "white"))
    walk_the_index_past_the_first_candidates(monkeypatch)
    found, plan = plan_of_search(QUERY, SearchFilters(category=categories["home-decor"]))
    assert "photoanalysis_embedding_hnsw" in plan
    # All 40 lamps lie behind the 150 coats; the page still holds the 24 nearest of them.
    lamp_distances = sorted(1 - float(lamp @ QUERY) for lamp in LAMPS)
    assert [match.distance for match in found] == pytest.approx(lamp_distances[:24], abs=1e-5)


def test_a_selective_filter_ranks_its_few_rows_exactly(crowd, categories):
    coats, lamps = crowd
    found, plan = plan_of_search(QUERY, SearchFilters(category=categories["home-decor"]))
    assert "photoanalysis_embedding_hnsw" not in plan
    assert {match.listing for match in found} == set(lamps)
    unfiltered, plan = plan_of_search(QUERY, SearchFilters())
    assert "photoanalysis_embedding_hnsw" in plan and len(unfiltered) == 24


def test_other_filters_combine_with_vector_search(crowd, categories):
    coats, lamps = crowd
    Listing.objects.filter(pk=coats[5].pk).update(price=999, condition="new", location="Lyon")
    found = search_by_embedding(QUERY, SearchFilters(min_price=900, condition="new",
                                                     location="lyon"))
    assert [match.listing.pk for match in found] == [coats[5].pk]
    cheap = search_by_embedding(QUERY, SearchFilters(max_price=21), limit=10)
    assert {match.listing.pk for match in cheap} == {lamps[0].pk, lamps[1].pk}


def test_only_listings_within_the_similarity_floor_are_found(make_listing, analysed):
    floor = selectors.SIMILAR_MAX_DISTANCE
    distances = {"Same coat": 0.0, "Similar coat": 0.3, "Still similar": floor - 0.01,
                 "Not quite": floor + 0.01, "Lamp": 0.9}
    for seed, (title, distance) in enumerate(distances.items()):
        analysed(bare_photo(make_listing(title)), at_distance(seed + 1, QUERY, distance))
    found = search_by_embedding(QUERY)
    assert [match.listing.title for match in found] == ["Same coat", "Similar coat",
                                                        "Still similar"]
    assert [match.distance for match in found] == pytest.approx([0.0, 0.3, floor - 0.01],
                                                                abs=1e-4)
    assert [match.exact for match in found] == [True, False, False]
    # A photo unlike every listing (the nearest at a distance of 1.1) finds none.
    assert search_by_embedding(-QUERY) == []


@pytest.mark.parametrize("walk", [False, True], ids=["exact", "index-walk"])
def test_a_filter_keeps_every_similar_match_and_never_an_unlike_one(
        crowd, make_listing, analysed, categories, monkeypatch, walk):
    coats, lamps = crowd
    for i in range(5):
        listing = make_listing(f"Unlike lamp {i}", "lighting", price=90)
        analysed(bare_photo(listing), at_distance(
            2000 + i, QUERY, selectors.SIMILAR_MAX_DISTANCE + 0.01 + i / 10))
    if walk:
        walk_the_index_past_the_first_candidates(monkeypatch)
    home = categories["home-decor"]
    found, plan = plan_of_search(QUERY, SearchFilters(category=home))
    assert ("photoanalysis_embedding_hnsw" in plan) == walk
    assert [match.listing for match in found] == lamps  # nearest first
    # Only the unlike lamps pass: nothing is similar.
    assert search_by_embedding(QUERY, SearchFilters(category=home, min_price=50)) == []


def test_results_are_grouped_per_listing_with_the_best_photo(make_listing, analysed):
    listing = make_listing("Jacket")
    far, best = bare_photo(listing), bare_photo(listing)
    analysed(far, unit_vector(1, near=QUERY, spread=0.8))
    analysed(best, QUERY)
    other = make_listing("Other jacket")
    analysed(bare_photo(other), unit_vector(2, near=QUERY, spread=0.9))

    found = search_by_embedding(QUERY, query_tags=tags(colour="blue"))
    assert [match.listing for match in found] == [listing, other]
    assert found[0].photo == best and found[0].exact
    assert not found[1].exact
    assert "colour: blue" in found[0].shared and "category: outerwear" in found[0].shared


def test_shared_attributes_only_list_what_both_photos_show():
    query = tags("outerwear", "blue", material="denim", pattern="plain")
    result = tags("outerwear", "red", material="denim")
    assert selectors.shared_attributes(query, result) == ["category: outerwear", "material: denim"]
    shirt = tags("long-sleeves", "black", garments="long-sleeves", audience="adult")
    assert selectors.shared_attributes(shirt, shirt) == [
        "category: long sleeves", "colour: black", "audience: adult"]  # long sleeves said once


def test_shared_attributes_leave_out_guesses():
    """A tag either photo is not confident about (below its suggestion threshold) is no reason
    for a match."""
    query = tags("outerwear", "blue", audience="adult")
    result = tags("outerwear", "blue", audience="adult")
    result["colour"] = prediction("blue", score=0.3, suggested=False)
    query["attributes"]["audience"] = prediction("adult", score=0.2, suggested=False)
    assert selectors.shared_attributes(query, result) == ["category: outerwear"]


def test_hidden_removed_and_sold_listings_are_never_found(make_listing, analysed):
    visible = make_listing("Visible")
    analysed(bare_photo(visible), unit_vector(3, near=QUERY, spread=0.5))
    for status, hidden in (("removed", False), ("sold", False), ("active", True)):
        listing = make_listing(f"{status} {hidden}", status=status, is_hidden=hidden)
        analysed(bare_photo(listing), QUERY)
    assert [match.listing for match in search_by_embedding(QUERY)] == [visible]


def test_search_reads_only_the_active_model_version(make_listing, analysed):
    old = make_listing("Indexed by the active model")
    analysed(bare_photo(old), unit_vector(4, near=QUERY, spread=0.5))
    new = make_listing("Only indexed by the next model")
    analysed(bare_photo(new), QUERY, version="next-version")
    assert ActiveModel.objects.get().model_version == TEST_VERSION
    assert [match.listing for match in search_by_embedding(QUERY)] == [old]


def test_similar_items_are_the_nearest_other_listings_within_the_floor(make_listing, analysed):
    listing = make_listing("Blue coat")
    analysed(bare_photo(listing), QUERY)
    floor = selectors.SIMILAR_MAX_DISTANCE
    inside = make_listing("Dark coat")
    analysed(bare_photo(inside), at_distance(6, QUERY, floor - 0.01))
    near = make_listing("Navy coat")
    analysed(bare_photo(near), at_distance(5, QUERY, 0.2))
    outside = make_listing("Grey rug")
    analysed(bare_photo(outside), at_distance(7, QUERY, floor + 0.01))
    far = make_listing("Lamp")
    analysed(bare_photo(far), -QUERY)
    make_listing("No photos yet")
    assert similar_listings(listing) == [near, inside]
    assert similar_listings(far) == []  # unlike every other listing
    assert similar_listings(make_listing("Not analysed")) == []


def test_listing_vector_is_the_normalised_mean_of_its_photos(make_listing, analysed):
    listing = make_listing("Two photos")
    a, b = unit_vector(6), unit_vector(7)
    analysed(bare_photo(listing), a)
    analysed(bare_photo(listing), b)
    vector = np.asarray(listing.vectors.get().embedding)
    expected = (a + b) / np.linalg.norm(a + b)
    assert np.allclose(vector, expected, atol=1e-5)


def test_deleting_a_photo_recomputes_its_listings_vector(
        make_listing, analysed, django_capture_on_commit_callbacks):
    listing = make_listing("Two photos, then one")
    kept, removed = bare_photo(listing), bare_photo(listing)
    analysed(kept, unit_vector(8))
    analysed(removed, unit_vector(9))
    with django_capture_on_commit_callbacks(execute=True):
        removed.delete()
    assert np.allclose(np.asarray(listing.vectors.get().embedding), unit_vector(8), atol=1e-5)
    with django_capture_on_commit_callbacks(execute=True):
        kept.delete()
    assert not listing.vectors.exists()
