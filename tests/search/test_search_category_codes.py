"""Category searches over many photos: the category's nearest codes, re-ranked exactly; and the
analysis's copy of its listing's category that makes this one index scan."""
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from marketplace.listings.models import Listing
from marketplace.listings.services import update_listing
from marketplace.search import selectors
from marketplace.search.models import PhotoAnalysis
from marketplace.search.selectors import (
    SearchFilters, nearest_codes, photos_in_categories, search_by_embedding)
from marketplace.search.services import answer_suggestion

from tests.search.helpers import TEST_VERSION, at_distance, bare_photo, tags, unit_vector

QUERY = unit_vector(0)
# At growing distances from the query, the farthest still within the similarity floor.
CLOTHES = [unit_vector(100 + i, near=QUERY, spread=0.05 + i / 160) for i in range(240)]


@pytest.fixture
def wardrobe(make_listing, analysed):
    """240 fashion listings (coats and shirts: two sub-categories) at growing distances from the
    query, one photo each (`CLOTHES`), and 40 lamps nearer to it than any of them."""
    listings = []
    for i, vector in enumerate(CLOTHES):
        listing = make_listing(f"Item {i}", "outerwear" if i % 2 else "shirts", price=10 + i)
        analysed(bare_photo(listing), vector)
        listings.append(listing)
    for i in range(40):
        listing = make_listing(f"Lamp {i}", "lighting")
        analysed(bare_photo(listing), unit_vector(1000 + i, near=QUERY, spread=0.01),
                 tags("lighting", "white"))
    return listings


@pytest.fixture
def path_taken(monkeypatch):
    """Treat every filtered search as one over too many rows for the exact path (as on a big
    table), keep 120 code candidates, and record which searches ran: "codes" (the code
    ranking) and "walk" (the HNSW walk)."""
    monkeypatch.setattr(selectors, "EXACT_SEARCH_MAX_ROWS", 0)
    monkeypatch.setattr(selectors, "CATEGORY_CODE_CANDIDATES", 120)
    taken = []
    ranking, walk = selectors.nearest_codes, selectors.iterative_index_scan
    monkeypatch.setattr(selectors, "nearest_codes",
                        lambda *args: taken.append("codes") or ranking(*args))
    monkeypatch.setattr(selectors, "iterative_index_scan",
                        lambda *args: taken.append("walk") or walk(*args))
    return taken


def exact_ranking(wardrobe, indices, limit: int) -> list[int]:
    """The nearest `limit` of these clothes by exact cosine distance (numpy), as listing ids."""
    nearest = sorted(indices, key=lambda i: 1 - float(CLOTHES[i] @ QUERY))[:limit]
    return [wardrobe[i].pk for i in nearest]


def ranked(matches) -> list[int]:
    return [match.listing.pk for match in matches]


def test_a_large_category_gets_the_exact_ranking_from_its_nearest_codes(
        wardrobe, categories, monkeypatch, path_taken):
    fashion = SearchFilters(category=categories["fashion"])  # both sub-categories
    found = search_by_embedding(QUERY, fashion, limit=24)
    assert path_taken == ["codes"]
    assert ranked(found) == exact_ranking(wardrobe, range(240), 24)
    assert [match.distance for match in found] == pytest.approx(
        sorted(1 - float(vector @ QUERY) for vector in CLOTHES)[:24], abs=1e-5)


def test_the_code_ranking_applies_every_other_filter(
        wardrobe, categories, monkeypatch, path_taken):
    Listing.objects.filter(pk__in=[item.pk for item in wardrobe[0:20:2]]).update(
        condition="new", location="Lyon")
    Listing.objects.filter(pk=wardrobe[2].pk).update(is_hidden=True)
    Listing.objects.filter(pk=wardrobe[4].pk).update(status=Listing.Status.SOLD)
    Listing.objects.filter(pk=wardrobe[6].pk).update(price=5)
    update_listing(wardrobe[8], location="Paris")
    filters = SearchFilters(category=categories["fashion"], min_price=9, max_price=200,
                            condition="new", location="lyo")
    passing = [0, 10, 12, 14, 16, 18]
    found = ranked(search_by_embedding(QUERY, filters, limit=1))
    assert path_taken == ["codes"]  # a page of 1 needs 4 photos: the candidates hold 6
    assert found == exact_ranking(wardrobe, passing, 1)
    found = ranked(search_by_embedding(QUERY, filters, limit=10))
    assert path_taken == ["codes", "codes", "walk"]  # a page of 10 needs 40: too few, walk
    assert found == exact_ranking(wardrobe, passing, 10)


def test_too_few_left_by_the_other_filters_falls_back_to_the_index_walk(
        wardrobe, categories, monkeypatch, path_taken):
    # The 30 cheapest are the farthest: none among the 120 nearest codes.
    Listing.objects.update(price=100)
    Listing.objects.filter(pk__in=[item.pk for item in wardrobe[-30:]]).update(price=1)
    filters = SearchFilters(category=categories["fashion"], max_price=2)
    found = ranked(search_by_embedding(QUERY, filters, limit=24))
    assert path_taken == ["codes", "walk"]
    assert found == exact_ranking(wardrobe, range(210, 240), 24)


def test_neither_path_brings_back_what_lies_beyond_the_similarity_floor(
        wardrobe, make_listing, analysed, categories, monkeypatch, path_taken):
    floor = selectors.SIMILAR_MAX_DISTANCE
    hats = []
    for i, distance in enumerate([0.2, 0.35, floor - 0.01] + [floor + 0.01 + i / 50
                                                              for i in range(30)]):
        hats.append(make_listing(f"Hat {i}", "hats"))
        analysed(bare_photo(hats[-1]), at_distance(3000 + i, QUERY, distance))
    filters = SearchFilters(category=categories["hats"])
    found = ranked(search_by_embedding(QUERY, filters, limit=5))
    assert path_taken == ["codes"]  # a page of 5 needs 20 photos: the 33 hats' codes hold them
    assert found == [hat.pk for hat in hats[:3]]
    found = ranked(search_by_embedding(QUERY, filters, limit=24))
    assert path_taken == ["codes", "codes", "walk"]
    assert found == [hat.pk for hat in hats[:3]]


def test_searches_without_a_category_keep_the_index_walk(
        wardrobe, categories, monkeypatch, path_taken):
    assert len(search_by_embedding(QUERY, SearchFilters(max_price=500))) == 24
    assert len(search_by_embedding(QUERY)) == 24
    assert path_taken == ["walk", "walk"]


def test_a_category_is_counted_and_ranked_from_the_covering_index_alone(wardrobe, categories):
    photos = photos_in_categories(categories["fashion"].descendant_ids(), TEST_VERSION)
    with CaptureQueriesContext(connection) as queries:
        nearest = nearest_codes(photos, QUERY)
        selectors.few_enough_for_exact_search(photos)
    with transaction.atomic(), connection.cursor() as cursor:
        # Planned as on a live table after autovacuum: statistics, and a visibility map with
        # every page all-visible (without it an index-only scan costs heap reads, and whether
        # the category FK index looked cheaper depended on ANALYZE's random sample).
        cursor.execute("ANALYZE search_photoanalysis")
        cursor.execute("SELECT pg_restore_relation_stats('schemaname', 'public', 'relname', "
                       "'search_photoanalysis', 'relallvisible', relpages) FROM pg_class "
                       "WHERE relname = 'search_photoanalysis'")
        cursor.execute("SET LOCAL enable_seqscan = off")  # a small table, planned as a big one
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        for query in queries:
            cursor.execute("EXPLAIN " + query["sql"])
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "Index Only Scan using photoanalysis_category_code" in plan, plan
    # All the fashion photos (fewer than the candidates kept), none of the nearer lamps.
    assert len(queries) == 2 and set(nearest) == set(PhotoAnalysis.objects.filter(
        listing__in=wardrobe).values_list("pk", flat=True))


def test_an_analysis_always_has_its_listings_category(
        make_listing, analysed, categories, seller):
    listing = make_listing("Coat", "outerwear")
    photos = [bare_photo(listing), bare_photo(listing)]
    for photo in photos:
        analysed(photo, unit_vector(photo.pk))
    other = make_listing("Lamp", "lighting")
    analysed(bare_photo(other), unit_vector(7))

    def categories_of(item) -> set[str]:
        return set(PhotoAnalysis.objects.filter(listing=item).values_list(
            "category__slug", flat=True))

    assert categories_of(listing) == {"outerwear"}
    update_listing(listing, category=categories["blazers"])  # the seller's edit form
    assert categories_of(listing) == {"blazers"}
    listing.category = categories["shirts"]  # what the admin's change form does (save())
    listing.save()
    assert categories_of(listing) == {"shirts"}
    analysed(photos[0], unit_vector(3))  # analysed again: the upsert keeps the category
    assert categories_of(listing) == {"shirts"}
    PhotoAnalysis.objects.filter(listing=listing).update(
        tags=tags("dresses"))  # the model now suggests dresses; the seller accepts
    answer_suggestion(listing, seller, "category", "dresses")
    assert categories_of(listing) == {"dresses"} and categories_of(other) == {"lighting"}
