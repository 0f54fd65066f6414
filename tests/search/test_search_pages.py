"""Search page, image-search API errors, analysis progress and suggestion answers."""
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse, reverse_lazy
from PIL import Image

from marketplace.search.models import ListingTag, TrainingLabel
from marketplace.search.throttles import ImageSearchThrottle

from tests.search.helpers import (
    TEST_VERSION, at_distance, bare_photo, jpeg_bytes, tags, unit_vector)

API = "/api/v1/search/image/"


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize("data, message", [
    (b"%PDF-1.4 definitely not a photo", "not a readable image"),
    (b"", "empty"),
])
def test_api_rejects_files_that_are_not_images(client, db, data, message):
    response = client.post(API, {"image": upload(data)})
    assert response.status_code == 400
    assert message in str(response.json()["image"])


@pytest.mark.parametrize("image_format, name", [("GIF", "photo.gif"), ("BMP", "photo.bmp")])
def test_api_refuses_formats_a_listing_photo_may_not_have(client, db, image_format, name):
    buffer = BytesIO()
    Image.new("RGB", (40, 40), "red").save(buffer, image_format)
    response = client.post(API, {"image": upload(buffer.getvalue(), name, "image/" + name[6:])})
    assert response.status_code == 400
    assert f"{image_format} images are not accepted" in str(response.json()["image"])


def test_api_refuses_svg_even_when_named_jpg(client, db):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"/>'
    response = client.post(API, {"image": upload(svg)})
    assert response.status_code == 400
    assert "not a readable image" in str(response.json()["image"])


def test_api_rejects_images_with_too_many_pixels(client, db, settings):
    settings.PHOTO_MAX_PIXELS = 100
    response = client.post(API, {"image": upload(jpeg_bytes(size=(20, 20)))})
    assert response.status_code == 400
    assert "too many pixels" in str(response.json()["image"])


def test_api_rejects_decompression_bombs(client, db):
    buffer = BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, "PNG")  # 400 Mpx in a few kB
    response = client.post(API, {"image": upload(buffer.getvalue(), "bomb.png", "image/png")})
    assert response.status_code == 400


def test_the_api_schema_lists_the_search_filters():
    from drf_spectacular.generators import SchemaGenerator

    from marketplace.search.forms import SearchFiltersForm

    schema = SchemaGenerator().get_schema(request=None, public=True)
    body = schema["paths"][API]["post"]["requestBody"]["content"]["multipart/form-data"]
    properties = schema["components"]["schemas"][body["schema"]["$ref"].split("/")[-1]][
        "properties"]
    assert set(properties) == {"image", "limit", *SearchFiltersForm.base_fields}


def test_api_requires_an_image(client, db):
    response = client.post(API, {"category": "shoes"})
    assert response.status_code == 400 and "image" in response.json()


def test_api_limits_how_often_one_client_searches(client, db, monkeypatch):
    monkeypatch.setattr(ImageSearchThrottle, "rate", "2/minute")
    statuses = [client.post(API, {}).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_web_photo_search_counts_against_the_same_limit(client, db, monkeypatch):
    monkeypatch.setattr(ImageSearchThrottle, "rate", "2/minute")
    assert client.post(API, {}).status_code == 400
    assert client.post(reverse("search:search"), {"image": upload(b"x")}).status_code == 400
    response = client.post(reverse("search:search"), {"image": upload(b"x")})
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 60
    assert "Too many photo searches: try again in" in response.content.decode()
    assert client.post(API, {}).status_code == 429
    assert client.get(reverse("search:search"), {"q": "coat"}).status_code == 200  # text: free


def test_a_forged_forwarded_for_header_gets_no_new_allowance(client, db, monkeypatch):
    """Without a proxy (NUM_PROXIES 0) the client is its REMOTE_ADDR, whatever it sends."""
    monkeypatch.setattr(ImageSearchThrottle, "rate", "2/minute")
    statuses = [client.post(API, {}, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
                for n in range(3)]
    assert statuses == [400, 400, 429]
    response = client.post(reverse("search:search"), {"image": upload(b"x")},
                           HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429


def signed_out_search():
    request = RequestFactory().post(API)
    request.user = AnonymousUser()
    return request


def test_parallel_photo_searches_by_one_client_pass_only_up_to_the_limit(monkeypatch):
    """20 searches by one client start at the same moment (as in several web processes): exactly
    the limit pass. (DRF's throttle let most of them through: each read the same history.)"""
    monkeypatch.setattr(ImageSearchThrottle, "rate", "5/minute")
    request, together = signed_out_search(), threading.Barrier(20)

    def search(_):
        together.wait(10)
        return ImageSearchThrottle().allow_request(request, None)

    with ThreadPoolExecutor(20) as pool:
        allowed = list(pool.map(search, range(20)))
    assert allowed.count(True) == 5


def test_a_client_searches_again_once_its_window_ends(monkeypatch):
    monkeypatch.setattr(ImageSearchThrottle, "rate", "2/second")
    request, throttles = signed_out_search(), [ImageSearchThrottle() for _ in range(3)]
    assert [throttle.allow_request(request, None) for throttle in throttles] == [
        True, True, False]
    assert 0 < throttles[2].wait() <= 1
    time.sleep(throttles[2].wait() + 0.05)
    assert ImageSearchThrottle().allow_request(request, None)


@pytest.mark.parametrize("url", [reverse_lazy("search:search"), API], ids=["web", "api"])
def test_photo_search_goes_on_uncounted_while_redis_is_down(client, db, settings, url, caplog):
    settings.CACHES = {"default": {**settings.CACHES["default"],
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens
    response = client.post(url, {"image": upload(b"not an image")})
    assert response.status_code == 400  # searched (and refused), not a 500
    assert "not being limited" in caplog.text


def test_photo_search_counts_are_kept_in_redis_for_every_process(client, db, settings):
    import redis

    client.post(API, {})
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    assert redis.Redis.from_url(settings.REDIS_URL).keys(f"{prefix}:*throttle_image_search_*")


@pytest.fixture
def spooled_to_disk(settings, monkeypatch):
    """Sizes of the chunks Django writes to temporary upload files (all of them: the in-memory
    handler is off)."""
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    chunks = []
    store = TemporaryFileUploadHandler.receive_data_chunk

    def counted(handler, raw_data, start):
        chunks.append(len(raw_data))
        return store(handler, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counted)
    return chunks


@pytest.mark.parametrize("url", [reverse_lazy("search:search"), API], ids=["web", "api"])
def test_an_oversized_search_photo_is_refused_and_not_stored_past_the_limit(
        client, db, settings, spooled_to_disk, url):
    """Even when it is bigger than a whole upload may be (PHOTO_UPLOAD_MAX_BYTES): its bytes past
    the per-file limit are dropped, not counted, so the photo is not dropped as a whole."""
    settings.PHOTO_MAX_BYTES, settings.PHOTO_UPLOAD_MAX_BYTES = 1000, 2000
    response = client.post(url, {"image": upload(bytes(300_000))})
    assert response.status_code == 400
    assert "The photo is too large" in response.content.decode()
    assert sum(spooled_to_disk) <= settings.PHOTO_MAX_BYTES


@pytest.mark.parametrize("url", [reverse_lazy("search:search"), API], ids=["web", "api"])
def test_a_search_upload_stopped_at_the_request_limit_says_why(client, db, settings, url):
    settings.PHOTO_UPLOAD_MAX_BYTES = 100  # less than the photo: the upload stops in it
    response = client.post(url, {"image": upload(jpeg_bytes())})
    assert response.status_code == 400
    assert "One upload may carry at most 100\xa0bytes of photos" in response.content.decode()


def test_web_photo_search_still_needs_the_csrf_token(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        reverse("search:search"), {"image": upload(jpeg_bytes())})
    assert response.status_code == 403


def test_web_photo_search_shows_the_error_and_keeps_the_form(client, db):
    response = client.post(reverse("search:search"), {"image": upload(b"not an image")})
    assert response.status_code == 400
    assert "not a readable image" in response.content.decode()
    # A phone offers its camera and its gallery (screenshots too): no `capture` forcing the camera.
    assert 'accept="image/*"' in response.content.decode()
    assert "capture" not in response.content.decode()


@pytest.fixture
def engine_sees(monkeypatch):
    """The engine, replaced: every query photo embeds as `unit_vector(0)`."""
    from types import SimpleNamespace

    from vision.engine import ImageResult, Prediction

    embedding = unit_vector(0)
    result = ImageResult(ok=True, model_version=TEST_VERSION, embedding=embedding,
                         code=embedding > 0, category=Prediction("outerwear", 0.9),
                         colour=Prediction("blue", 0.9))
    engine = SimpleNamespace(run=lambda images: [result])
    monkeypatch.setattr("marketplace.search.engine.get_engine", lambda: engine)


def test_photo_results_page_reads_as_many_rows_for_six_results_as_for_one(
        client, make_listing, analysed, engine_sees):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def results_page_queries(expected_cards: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            page = client.post(reverse("search:search"), {"image": upload(jpeg_bytes())})
        assert page.content.decode().count('<article class="card') == expected_cards
        assert "Coats &amp; jackets" in page.content.decode()  # the category, on every card
        return len(queries)

    for number in range(6):
        analysed(bare_photo(make_listing(f"Coat {number}")),
                 at_distance(number + 1, unit_vector(0), 0.1 + number / 20))
        if number == 0:
            one = results_page_queries(1)
    assert results_page_queries(6) == one


def test_a_photo_with_no_similar_listing_says_so_and_offers_other_ways(
        client, make_listing, analysed, categories, engine_sees):
    from marketplace.search.selectors import SIMILAR_MAX_DISTANCE

    analysed(bare_photo(make_listing("Lamp", "lighting")),
             at_distance(1, unit_vector(0), SIMILAR_MAX_DISTANCE + 0.01))
    response = client.post(reverse("search:search"), {"image": upload(jpeg_bytes())})
    page = response.content.decode()
    assert response.status_code == 200 and "No similar listings found." in page
    assert "Lamp" not in page and not re.search(r"\d listings? found", page)
    # What the model saw in the photo (`engine_sees`: a coat) can be browsed instead.
    assert f'<a href="{reverse("listings:browse")}?category=outerwear">browse Coats &amp; jackets' \
        in page and "with these filters" not in page
    filtered = client.post(reverse("search:search"), {"image": upload(jpeg_bytes()),
                                                      "max_price": "5"}).content.decode()
    assert "Nothing for sale looks like your photo with these filters." in filtered
    api = client.post(API, {"image": upload(jpeg_bytes())}).json()
    assert api["results"] == [] and api["took_ms"] > 0


def test_api_checks_filters_by_the_search_page_rules(client, categories, engine_sees):
    from marketplace.search.forms import SearchFiltersForm

    bad = {"category": "no-such", "min_price": "-1", "condition": "mint", "location": "x" * 121}
    form = SearchFiltersForm(bad)
    assert not form.is_valid()
    response = client.post(API, {"image": upload(jpeg_bytes()), **bad})
    assert response.status_code == 400
    assert response.json() == {name: list(errors) for name, errors in form.errors.items()}
    # Empty fields mean "any", as on the page (where every field is sent, empty or not).
    empty = {"category": "", "min_price": "", "max_price": "", "condition": "", "location": ""}
    assert client.post(API, {"image": upload(jpeg_bytes()), **empty}).status_code == 200


def test_search_page_lists_the_categories_in_a_few_queries(client, categories,
                                                          django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # one per form's category list, not one per category
        page = client.get(reverse("search:search")).content.decode()
    assert ">\u2003Coats &amp; jackets</option>" in page  # indented under its vertical


def test_text_search_says_what_is_wrong_with_the_words(client, make_listing):
    make_listing("Vintage denim jacket")
    response = client.get(reverse("search:search"), {"q": "jacket" + "s" * 195})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ensure this value has at most 200 characters (it has 201)." in page
    assert 'aria-invalid="true" aria-describedby="id_q_error"' in page
    assert "Vintage denim jacket" not in page


def test_text_search_page_lists_matches(client, make_listing):
    make_listing("Vintage denim jacket")
    make_listing("Desk lamp", "lighting")
    page = client.get(reverse("search:search"), {"q": "jacket"}).content.decode()
    assert "Vintage denim jacket" in page and "Desk lamp" not in page
    ids = re.findall(r'\sid="([^"]+)"', page)  # both forms' filters, each field its own id
    assert "id_category" in ids and "photo_category" in ids and len(ids) == len(set(ids))


def filter_panels(page: str) -> list[tuple[bool, str]]:
    """(open, toggle words) of each filter panel on the page."""
    return [(bool(is_open), summary) for is_open, summary in re.findall(
        r'<details class="search-filters"( open)?>\s*<summary>([^<]*)</summary>', page)]


def test_text_search_results_keep_the_filters_closed_and_count_the_matches(client, make_listing):
    make_listing("Vintage denim jacket")
    make_listing("Rain jacket")
    page = client.get(reverse("search:search"), {"q": "jacket", "category": "", "min_price": "",
                                                 "max_price": "", "condition": "",
                                                 "location": ""}).content.decode()
    assert filter_panels(page) == [(False, "Text search filters"), (False, "Photo search filters")]
    assert '<p class="results__count">2 listings' in page and "{#" not in page

    page = client.get(reverse("search:search"), {"q": "lamp"}).content.decode()
    assert "No listings match “lamp”." in page and "results__count" not in page


@pytest.mark.parametrize("chosen", [{"condition": "good"}, {"min_price": "-1"}])
def test_the_filters_stay_open_when_one_is_set_or_wrong(client, make_listing, chosen):
    make_listing("Vintage denim jacket")
    page = client.get(reverse("search:search"), {"q": "jacket", **chosen}).content.decode()
    assert filter_panels(page) == [(True, "Text search filters"), (False, "Photo search filters")]


@pytest.fixture
def tagged_listing(make_listing, analysed):
    listing = make_listing("Untitled", "shoes")
    analysed(bare_photo(listing), unit_vector(1), tags("outerwear", "blue", materials="denim"))
    return listing


def test_progress_shows_pending_and_failed_photos_to_the_seller(client, seller, make_listing,
                                                                analysed):
    from marketplace.search.services import record_failure

    listing = make_listing("Coat")
    analysed(bare_photo(listing), unit_vector(1))
    record_failure(bare_photo(listing), "test-version-1", "The image is truncated.")
    bare_photo(listing)
    client.force_login(seller)
    status = client.get(reverse("search:analysis-status", args=[listing.pk])).json()
    assert (status["total"], status["analysed"], status["pending"]) == (3, 2, 1)
    assert status["failed"][0]["reason"] == "The image is truncated."
    assert "could not be analysed: The image is truncated." in status["html"]
    assert "Analysing photos: 2 of 3" in status["html"]


def test_only_the_seller_sees_progress_or_answers(client, buyer, tagged_listing):
    client.force_login(buyer)
    status = client.get(reverse("search:analysis-status", args=[tagged_listing.pk]))
    assert status.status_code == 404
    response = client.post(reverse("search:answer-suggestion", args=[tagged_listing.pk]),
                           {"field": "category", "value": "outerwear"})
    assert response.status_code == 404
    tagged_listing.refresh_from_db()
    assert tagged_listing.category.slug == "shoes" and not TrainingLabel.objects.exists()


def test_the_panel_proposes_category_colour_attributes_and_title(client, seller, tagged_listing):
    client.force_login(seller)
    html = client.get(reverse("search:analysis-status", args=[tagged_listing.pk])).json()["html"]
    assert "Coats &amp; jackets" in html and 'value="blue"' in html and 'value="denim"' in html
    assert 'value="Blue denim jacket"' in html


def test_accepting_and_editing_suggestions_updates_the_listing_and_keeps_labels(
        client, seller, tagged_listing):
    client.force_login(seller)
    url = reverse("search:answer-suggestion", args=[tagged_listing.pk])
    client.post(url, {"field": "category", "value": "outerwear", "next": "/search/"})
    response = client.post(url, {"field": "colour", "value": "Navy", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil" not in response["Location"]
    client.post(url, {"field": "title", "value": "Navy denim jacket"})

    tagged_listing.refresh_from_db()
    assert tagged_listing.category.slug == "outerwear"
    assert tagged_listing.title == "Navy denim jacket"
    assert ListingTag.objects.get(listing=tagged_listing, name="colour").value == "navy"
    labels = {label.field: label for label in TrainingLabel.objects.all()}
    assert labels["category"].accepted and labels["category"].model_version == "test-version-1"
    assert (labels["colour"].model_value, labels["colour"].seller_value) == ("blue", "Navy")
    assert not labels["title"].accepted

    # The panel stops asking about what the seller answered (even an edited answer).
    def offered():
        html = client.get(reverse("search:analysis-status", args=[tagged_listing.pk])).json()
        return set(re.findall(r'name="field" value="([^"]+)"', html["html"])), html["html"]

    fields, _ = offered()
    assert fields == {"materials"}
    client.post(url, {"field": "materials", "value": "denim"})
    fields, html = offered()
    assert fields == set() and "already has what its photos suggest" in html


def test_answers_to_unknown_fields_or_categories_change_nothing(client, seller, tagged_listing):
    client.force_login(seller)
    url = reverse("search:answer-suggestion", args=[tagged_listing.pk])
    for answer, message in (({"field": "price", "value": "1"}, "Nothing to answer for"),
                            ({"field": "category", "value": "no-such"}, "Unknown category"),
                            ({"field": "colour", "value": ""}, "Enter a value")):
        response = client.post(url, answer, follow=True)
        assert message in response.content.decode()
    tagged_listing.refresh_from_db()
    assert tagged_listing.category.slug == "shoes"
    assert not TrainingLabel.objects.exists() and not ListingTag.objects.exists()


def processed_photo(listing, name: str):
    """A photo with renditions (names only), as the site shows it."""
    photo = bare_photo(listing)
    photo.display = f"renditions/{name}/display.jpg"
    photo.thumbnail = f"renditions/{name}/thumb.jpg"
    photo.status = photo.Status.DONE
    photo.save()
    return photo


def test_listing_pages_show_similar_items_and_the_sellers_suggestions(
        client, seller, make_listing, analysed):
    listing = make_listing("Blue coat")
    analysed(processed_photo(listing, "blue"), unit_vector(1),
             tags("outerwear", "blue", materials="denim"))
    other = make_listing("Navy coat")
    bare_photo(other)  # not processed yet: the card shows the one that is
    analysed(processed_photo(other, "navy"), unit_vector(2, near=unit_vector(1), spread=0.3))

    detail = client.get(listing.get_absolute_url()).content.decode()
    similar = detail[detail.index("Similar items"):]
    assert "Navy coat" in similar and "renditions/navy/thumb.jpg" in similar
    assert "renditions/blue/" not in similar  # the page's own photo is not the card's
    found = client.get(reverse("search:search"), {"q": "navy"}).content.decode()
    assert "Navy coat" in found and "renditions/navy/thumb.jpg" in found

    client.force_login(seller)
    for url in (reverse("listings:edit", args=[listing.pk]),
                reverse("photos:manage", args=[listing.pk])):
        page = client.get(url).content.decode()
        assert "Suggestions from your photos" in page and 'value="denim"' in page
        assert deepest_form_nesting(page) == 1, url  # else Accept submits the outer form


def deepest_form_nesting(html: str) -> int:
    """How deep <form> elements nest in `html` (a browser drops a form inside a form)."""
    from html.parser import HTMLParser

    class Forms(HTMLParser):
        depth = deepest = 0

        def handle_starttag(self, tag, attrs):
            if tag == "form":
                self.depth += 1
                self.deepest = max(self.deepest, self.depth)

        def handle_endtag(self, tag):
            if tag == "form":
                self.depth -= 1

    parser = Forms()
    parser.feed(html)
    return parser.deepest


def test_the_suggested_title_describes_the_item_once():
    from marketplace.search.selectors import Suggestion, suggested_title

    def items(**values):
        return {name: Suggestion(name, value, display, 0.9)
                for name, (value, display) in values.items()}

    hoodie = items(category=("hoodies", "Hoodies & sweatshirts"), colour=("pink", "pink"),
                   audience=("adult", "adult"), garments=("hoodies", "hoodies"))
    assert suggested_title(hoodie) == "Pink hoodie"
    jacket = items(category=("outerwear", "Coats & jackets"), colour=("blue", "blue"),
                   materials=("denim", "denim"), audience=("kids", "kids"))
    assert suggested_title(jacket) == "Kids' blue denim jacket"
    assert suggested_title(items(colour=("blue", "blue"))) == ""  # no category, no title
    # A listing title names one item, whatever the plural looks like.
    for slug, name, title in [("t-shirts", "T-shirts", "Blue t-shirt"),
                              ("dresses", "Dresses", "Blue dress"),
                              ("pants", "Trousers & jeans", "Blue trousers"),
                              ("tv-video", "TV & video", "Blue TV"),
                              ("gone-from-the-taxonomy", "Gadgets", "Blue gadgets")]:
        assert suggested_title(items(category=(slug, name), colour=("blue", "blue"))) == title
    assert suggested_title(items(category=("dresses", "Dresses"))) == "Dress"


def test_a_photo_search_says_what_it_saw_in_words(db):
    from marketplace.search.selectors import PhotoSearch

    seen = tags("long-sleeves", "black", audience="adult", colours="black", garments="long-sleeves")
    search = PhotoSearch([], seen, "v1", embed_ms=1, search_ms=1)
    assert search.seen == ["Long-sleeve tops", "black", "adult", "long sleeves"]
