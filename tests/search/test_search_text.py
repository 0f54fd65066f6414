"""Full-text search with tag boosts and filters."""
from marketplace.search.models import ListingTag
from marketplace.search.selectors import SearchFilters, text_search

from tests.search.helpers import bare_photo, tags, unit_vector


def test_matches_titles_and_descriptions_with_stemming(make_listing):
    by_title = make_listing("Leather jackets for winter")
    by_description = make_listing("Warm coat", description="A lovely jacket, barely worn.")
    make_listing("Desk lamp", "lighting")
    assert set(text_search("jacket")) == {by_title, by_description}


def test_listings_tagged_with_the_words_rank_higher(make_listing):
    plain = make_listing("Denim jacket", description="Blue jacket, blue jeans style")
    tagged = make_listing("Denim jacket")
    ListingTag.objects.create(listing=tagged, name="colour", value="blue")
    assert list(text_search("blue denim jacket")) == [tagged, plain]


def test_model_tags_find_listings_whose_text_lacks_the_word(make_listing, analysed):
    listing = make_listing("Lovely thing")
    analysed(bare_photo(listing), unit_vector(1), tags("outerwear", "green", material="denim"))
    unconfident = make_listing("Another thing")
    weak = tags("outerwear", "green")
    weak["colour"]["suggested"] = False
    analysed(bare_photo(unconfident), unit_vector(2), weak)
    assert list(text_search("green")) == [listing]
    assert list(text_search("denim")) == [listing]


def test_filters_and_visibility(make_listing, categories):
    cheap = make_listing("Red shoes", "shoes", price=10, condition="good", location="Paris 11e")
    make_listing("Red shoes", "shoes", price=200, condition="good", location="Paris")
    make_listing("Red shoes", "shoes", price=10, condition="fair", location="Paris")
    make_listing("Red shoes", "lighting", price=10, condition="good", location="Paris")
    make_listing("Red shoes", "shoes", price=10, condition="good", location="Paris",
                 is_hidden=True)
    filters = SearchFilters(category=categories["fashion"], max_price=50, condition="good",
                            location="paris")
    assert list(text_search("red shoes", filters)) == [cheap]


def test_the_search_document_follows_edits_and_includes_the_category(make_listing):
    listing = make_listing("Warm thing", "outerwear")
    assert list(text_search("jackets")) == [listing]  # the category "Coats & jackets"
    assert list(text_search("parka")) == []
    listing.title = "Warm parka"
    listing.save()
    assert list(text_search("parka")) == [listing]
