"""Reads of the search app: vector/text search, similar items, suggestions, analysis progress,
and what may train the next model."""
from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property

import numpy as np
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import Case, Exists, F, FloatField, OuterRef, Q, QuerySet, Value, When
from pgvector import Bit
from pgvector.django import CosineDistance, HammingDistance

from marketplace.listings.models import Category, Listing
from marketplace.listings.selectors import (
    listings_for_sale, public_listings, ready_photos, with_ready_photos)
from marketplace.photos.models import Photo
from vision.taxonomy import item_names

from .models import (
    ActiveModel, DraftTag, ListingDocument, ListingTag, ListingVector, PhotoAnalysis,
    TrainingLabel)

# Cosine distance under which two photos are taken to show the same product.
EXACT_MATCH_DISTANCE = 0.12
# Cosine distance beyond which a listing is no similar item: photo search leaves it out. Chosen
# on held-out photos (`python -m vision.evaluate distances`, see the README's "Search"): within
# it lie 89 % of the pairs of photos of one grocery product and 79 % of those of one clothing
# category, and 0.4 % of the pairs of a grocery and a clothing photo.
SIMILAR_MAX_DISTANCE = 0.55
# Photos fetched per listing wanted: results are grouped per listing after the vector scan.
PHOTO_OVERFETCH = 4
TAG_BOOST = 0.3
TEXT_SEARCH_CONFIG = "english"
# Filtered photo searches over at most this many photos rank them all exactly (see
# bench/search_scale.py: exact within a 5% category beats HNSW's iterative scan on recall).
EXACT_SEARCH_MAX_ROWS = 10_000
# HNSW candidate list of the other filtered searches. The iterative scan misses matches that lie
# beyond many nearer non-matching rows; a longer list finds more of them at about the same cost
# (bench/search_scale.py). Raising hnsw.max_scan_tuples instead did not help: scans stop before it.
UNFILTERED_EF_SEARCH = 100
FILTERED_EF_SEARCH = 400
# A larger category's photos ranked by code (sign bits) from the covering index, kept to re-rank
# by exact distance; the recall/latency knob of category searches (bench/search_scale.py).
CATEGORY_CODE_CANDIDATES = 400


def active_model_version() -> str | None:
    return ActiveModel.objects.values_list("model_version", flat=True).first()


@dataclass(frozen=True)
class SearchFilters:
    """Buyer filters shared by text and photo search; a category includes its sub-categories."""

    category: Category | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    condition: str = ""
    location: str = ""

    @cached_property
    def category_ids(self) -> list[int]:
        return self.category.descendant_ids() if self.category is not None else []

    def listing_q(self) -> Q:
        """The filters as a condition on listings."""
        q = Q()
        if self.category is not None:
            q &= Q(category_id__in=self.category_ids)
        if self.min_price is not None:
            q &= Q(price__gte=self.min_price)
        if self.max_price is not None:
            q &= Q(price__lte=self.max_price)
        if self.condition:
            q &= Q(condition=self.condition)
        if self.location:
            q &= Q(location__icontains=self.location)
        return q


@dataclass
class Match:
    """One listing in photo-search results, shown with its closest photo."""

    listing: Listing
    photo: Photo
    distance: float
    shared: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return self.distance <= EXACT_MATCH_DISTANCE


def iterative_index_scan(ef_search: int = UNFILTERED_EF_SEARCH) -> None:
    """Let HNSW keep scanning until enough rows pass the filters (pgvector ≥ 0.8).

    Must run inside a transaction: SET LOCAL lasts until its end.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        cursor.execute(f"SET LOCAL hnsw.ef_search = {int(ef_search)}")


def shared_attributes(query_tags: dict, photo_tags: dict) -> list[str]:
    """What the query photo and a result photo confidently have in common, e.g. ["colour:
    blue"]: a tag counts where both predictions are suggested (above their threshold; a guess
    such as "audience: adult" for a banana is no reason), and a value is said once (the
    `garments` head often repeats the category)."""
    pairs = [("category", query_tags.get("category"), photo_tags.get("category")),
             ("colour", query_tags.get("colour"), photo_tags.get("colour"))]
    for name, prediction in query_tags.get("attributes", {}).items():
        pairs.append((name, prediction, photo_tags.get("attributes", {}).get(name)))
    shared: dict[str, str] = {}
    for name, ours, theirs in pairs:
        if (ours and theirs and ours["label"] == theirs["label"]
                and ours.get("suggested") and theirs.get("suggested")):
            shared.setdefault(ours["label"], f"{name}: {ours['label'].replace('-', ' ')}")
    return list(shared.values())


def few_enough_for_exact_search(candidates: QuerySet) -> bool:
    """Whether a filtered query's rows are few enough to rank them all exactly."""
    return candidates[:EXACT_SEARCH_MAX_ROWS + 1].count() <= EXACT_SEARCH_MAX_ROWS


def photos_in_categories(category_ids: list[int], model_version: str) -> QuerySet[PhotoAnalysis]:
    """The analysed photos of these categories: the rows of the covering index on codes."""
    return PhotoAnalysis.objects.filter(model_version=model_version, category_id__in=category_ids,
                                        status=PhotoAnalysis.Status.DONE)


def nearest_codes(photos: QuerySet[PhotoAnalysis], embedding) -> list[int]:
    """Ids of the CATEGORY_CODE_CANDIDATES `photos` whose codes are nearest the query's sign
    bits, ranked from the covering index alone ("+ 0" keeps HNSW out)."""
    query_code = Bit(np.asarray(embedding) > 0).to_text()
    return list(photos.annotate(code_distance=HammingDistance("code", query_code) + Value(0.0))
                .order_by("code_distance")
                .values_list("pk", flat=True)[:CATEGORY_CODE_CANDIDATES])


def search_by_embedding(embedding, filters: SearchFilters = SearchFilters(), *, limit: int = 24,
                        query_tags: dict | None = None,
                        model_version: str | None = None) -> list[Match]:
    """Public listings similar to `embedding` (their best photo within SIMILAR_MAX_DISTANCE),
    best photo per listing, nearest first.

    A large category re-ranks its photos with the nearest codes; other filtered searches, and
    those where the other filters leave too few of these photos, rank few rows exactly or walk
    the HNSW index.
    """
    model_version = model_version or active_model_version()
    if model_version is None:
        return []
    candidates = PhotoAnalysis.objects.filter(
        model_version=model_version, status=PhotoAnalysis.Status.DONE,
        listing__in=listings_for_sale().filter(filters.listing_q()))
    distance = CosineDistance("embedding", embedding)
    # "+ 0" keeps HNSW out: a ranking of given rows by their exact distance.
    exact_distance = distance + Value(0.0)
    wanted = limit * PHOTO_OVERFETCH

    def nearest(rows: QuerySet[PhotoAnalysis], by) -> list[tuple[int, int, float]]:
        """(analysis id, listing id, distance) of the nearest rows: plain tuples, no models."""
        return list(rows.annotate(distance=by).order_by("distance")
                    .values_list("pk", "listing_id", "distance")[:wanted])

    filtered = filters != SearchFilters()
    ranked = []
    if filters.category is not None:
        in_category = photos_in_categories(filters.category_ids, model_version)
        # Counted from the covering index alone: the count over `candidates` below joins each
        # row to its listing (~40 ms for 10 000 rows at 1M photos).
        if not few_enough_for_exact_search(in_category):
            with transaction.atomic(), connection.cursor() as cursor:
                # Parallel workers cost more than they save here (1M photos, a 5 % category:
                # codes ranked in 7 ms alone, 11 ms with two workers).
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
                # Two queries: a list of ids plans as a few hundred primary-key lookups.
                ranked = nearest(candidates.filter(
                    pk__in=nearest_codes(in_category, embedding)), exact_distance)
    if len(ranked) < wanted:  # no large category, or too few of its photos passed the filters
        if filtered and few_enough_for_exact_search(candidates):
            # A selective filter: the exact distance to its few rows beats an HNSW walk that
            # must skip nearly everything (and can miss far-away matches).
            distance = exact_distance
        with transaction.atomic():
            iterative_index_scan(FILTERED_EF_SEARCH if filtered else UNFILTERED_EF_SEARCH)
            ranked = nearest(candidates, distance)
        ranked.sort(key=lambda row: row[2])  # relaxed_order: re-sort exactly
    best: dict[int, tuple[int, float]] = {}  # listing id → its nearest photo's analysis, distance
    for analysis_id, listing_id, distance in ranked:
        if distance > SIMILAR_MAX_DISTANCE:
            break  # nearest first: no similar item follows
        if listing_id not in best and len(best) < limit:
            best[listing_id] = (analysis_id, distance)
    # Only the page's rows become models, with their photo and what a result card reads of the
    # listing (category, ready photos), in a fixed number of queries; a row deleted since the
    # ranking is left out.
    analyses = (PhotoAnalysis.objects.defer("embedding", "code")
                .select_related("listing__category", "photo")
                .prefetch_related(ready_photos("listing__photos"))
                .in_bulk([analysis_id for analysis_id, _ in best.values()]))
    return [Match(analysis.listing, analysis.photo, float(distance),
                  shared_attributes(query_tags or {}, analysis.tags))
            for analysis, distance in ((analyses.get(analysis_id), distance)
                                       for analysis_id, distance in best.values()) if analysis]


def similar_listings(listing: Listing, limit: int = 8) -> list[Listing]:
    """Public listings whose vector is nearest to this listing's, within the similarity floor
    (none until it is analysed). The floor is cut after the index scan: a distance condition in
    the query would let the iterative scan walk the whole index for a listing unlike the rest."""
    model_version = active_model_version()
    own = ListingVector.objects.filter(listing=listing, model_version=model_version).first()
    if own is None:
        return []
    with transaction.atomic():
        iterative_index_scan()
        nearest = list(
            ListingVector.objects
            .filter(model_version=model_version, listing__in=listings_for_sale())
            .exclude(listing=listing)
            .annotate(distance=CosineDistance("embedding", own.embedding))
            .order_by("distance")
            .values_list("listing_id", "distance")[:limit])
    listings = with_ready_photos(Listing.objects.all()).in_bulk([pk for pk, _ in nearest])
    return [listings[pk] for pk, distance in sorted(nearest, key=lambda row: row[1])
            if pk in listings and distance <= SIMILAR_MAX_DISTANCE]


def query_words(text: str) -> list[str]:
    return sorted({word for word in re.findall(r"[\w-]+", text.lower()) if len(word) > 1})


def text_search(text: str, filters: SearchFilters = SearchFilters()) -> QuerySet[Listing]:
    """Full-text search over titles/descriptions; listings tagged with a query word rank higher.

    A listing matches through its text or through a tag: the seller-confirmed tags and the
    labels the active model is confident about.
    """
    words = query_words(text)
    query = SearchQuery(text, search_type="websearch", config=TEXT_SEARCH_CONFIG)
    by_tag = ListingTag.objects.filter(value__in=words)
    by_model_tag = ListingVector.objects.filter(
        model_version=active_model_version(), tag_words__has_any_keys=words)
    # Three indexed lookups (GIN on the documents and on the model's labels, btree on tags),
    # united by listing id, then ranked.
    matching = (Q(pk__in=ListingDocument.objects.filter(document=query).values("listing"))
                | Q(pk__in=by_tag.values("listing")) | Q(pk__in=by_model_tag.values("listing")))
    tagged = (Exists(by_tag.filter(listing=OuterRef("pk")))
              | Exists(by_model_tag.filter(listing=OuterRef("pk"))))
    return with_ready_photos(
        listings_for_sale().filter(filters.listing_q()).filter(matching)
        .annotate(rank=SearchRank(F("search_document__document"), query) + Case(
            When(tagged, then=Value(TAG_BOOST)), default=Value(0.0), output_field=FloatField()))
        .order_by("-rank", "-created_at"))


def analysis_progress(listing: Listing) -> dict:
    """How far the model got with a listing's photos (newest analysis of each photo)."""
    photo_ids = list(listing.photos.values_list("pk", flat=True))
    latest = latest_analyses(listing)
    failed = [{"photo": photo_id, "reason": latest[photo_id].failure_reason}
              for photo_id in photo_ids
              if photo_id in latest and latest[photo_id].status == PhotoAnalysis.Status.FAILED]
    analysed = sum(1 for photo_id in photo_ids if photo_id in latest)
    return {"total": len(photo_ids), "analysed": analysed, "pending": len(photo_ids) - analysed,
            "failed": failed}


def latest_analyses(listing: Listing) -> dict[int, PhotoAnalysis]:
    """Each photo's newest analysis, whatever its version (a reindex may be under way)."""
    latest: dict[int, PhotoAnalysis] = {}
    for analysis in PhotoAnalysis.objects.filter(
            listing=listing, photo__listing=listing).order_by("analysed_at"):
        latest[analysis.photo_id] = analysis
    return latest


@dataclass(frozen=True)
class Suggestion:
    field: str
    value: str       # what is stored when accepted (a category slug, a colour, …)
    display: str     # what the seller reads
    score: float


@dataclass
class Suggestions:
    """What the model proposes for a listing, pooled over its analysed photos."""

    items: dict[str, Suggestion]
    model_version: str = ""

    @property
    def fields(self) -> list[str]:
        return list(self.items)

    def get(self, name: str) -> Suggestion | None:
        return self.items.get(name)

    def __iter__(self):
        return iter(self.items.values())

    def __bool__(self) -> bool:
        return bool(self.items)


def pooled(predictions: list[dict]) -> tuple[str, float] | None:
    """The label with the highest mean score across photos, if the model is confident in it."""
    totals: dict[str, float] = {}
    for prediction in predictions:
        for label, score in prediction.get("top") or [[prediction["label"], prediction["score"]]]:
            totals[label] = totals.get(label, 0.0) + score
    if not totals or not any(prediction.get("suggested") for prediction in predictions):
        return None
    label = max(totals, key=totals.get)
    return label, totals[label] / len(predictions)


def listing_suggestions(listing: Listing) -> Suggestions:
    """Category, colour, attributes and a title proposed from the listing's analysed photos."""
    done = [analysis for analysis in latest_analyses(listing).values()
            if analysis.status == PhotoAnalysis.Status.DONE]
    if not done:
        return Suggestions({})
    tags = [analysis.tags for analysis in done]
    items: dict[str, Suggestion] = {}
    category = pooled([t["category"] for t in tags if t.get("category")])
    if category:
        name = Category.objects.filter(slug=category[0]).values_list("name", flat=True).first()
        if name:
            items["category"] = Suggestion("category", category[0], name, category[1])
    colour = pooled([t["colour"] for t in tags if t.get("colour")])
    if colour:
        items["colour"] = Suggestion("colour", colour[0], colour[0], colour[1])
    for attribute in sorted({name for t in tags for name in t.get("attributes", {})}):
        found = pooled([t["attributes"][attribute] for t in tags
                        if attribute in t.get("attributes", {})])
        if found:
            label = found[0].replace("-", " ")
            items[attribute] = Suggestion(attribute, label, label, found[1])
    title = suggested_title(items)
    if title:
        items["title"] = Suggestion("title", title, title, min(s.score for s in items.values()))
    return Suggestions(items, model_version=done[-1].model_version)


def unanswered(listing: Listing, suggestions: Suggestions) -> list[Suggestion]:
    """The suggestions still worth showing the seller: for a field they have not answered yet,
    and not already the listing's category or title."""
    answered = set(TrainingLabel.objects.filter(listing=listing).values_list("field", flat=True))
    current = {"category": listing.category.slug if listing.category_id else None,
               "title": listing.title}
    return [item for item in suggestions
            if item.field not in answered and current.get(item.field) != item.value]


def draft_tags(listing: Listing) -> dict[str, str]:
    """The values the seller saved in a draft's suggestion boxes, by suggested field."""
    return dict(DraftTag.objects.filter(listing=listing).values_list("name", "value"))


def suggested_title(items: dict[str, Suggestion]) -> str:
    """E.g. "Blue denim jacket": colour, material, then one item of the category as the taxonomy
    names it (category "Coats & jackets": "jacket"), after "Kids'" for children's clothes. The
    other attributes (the garments in the photo, a grocery product) name things rather than
    describe this one, and would repeat the category."""
    if "category" not in items:
        return ""
    audience = items.get("audience")
    words = ["Kids'"] if audience and audience.value == "kids" else []
    words += [items[name].display for name in ("colour", "materials") if name in items]
    category = items["category"]
    # A category the taxonomy no longer has (a row left by an older one) keeps its name.
    words.append(item_names().get(category.value, category.display.lower()))
    title = " ".join(words)
    return title[:1].upper() + title[1:]


class SearchUnavailable(RuntimeError):
    """Photo search cannot run right now (no index yet, or a model switch in progress)."""


@dataclass
class PhotoSearch:
    matches: list[Match]
    query_tags: dict
    model_version: str
    embed_ms: float
    search_ms: float

    @cached_property
    def category(self) -> Category | None:
        """The category the model saw in the query photo."""
        category = self.query_tags.get("category")
        return category and Category.objects.filter(slug=category["label"]).first()

    @cached_property
    def seen(self) -> list[str]:
        """What the model saw in the query photo, for people: the category's name, the colour,
        then the attributes, each word once (e.g. ["Long-sleeve tops", "black", "adult"])."""
        labels = [self.category.name] if self.category else []
        labels += [prediction["label"].replace("-", " ") for prediction in
                   [self.query_tags.get("colour"), *self.query_tags.get("attributes", {}).values()]
                   if prediction]
        unique: dict[str, str] = {}
        for label in labels:
            unique.setdefault(label.lower(), label)
        return list(unique.values())


def search_by_photo(image, filters: SearchFilters = SearchFilters(), *,
                    limit: int = 24) -> PhotoSearch:
    """Embed a query photo with this process's engine and search the active version's vectors.

    Raises InvalidImage when the model cannot read the photo, SearchUnavailable when the
    engine's vectors are not the ones being served (a reindex switched versions).
    """
    from .engine import get_engine
    from .query_image import DAMAGED, InvalidImage
    from .services import result_tags

    started = time.perf_counter()
    result = get_engine().run([image])[0]
    embedded = time.perf_counter()
    if not result.ok:
        # The engine fails a query photo only when it cannot decode it; its error is Pillow's
        # own (`image file is truncated ...`): the buyer gets the upload check's plain words.
        raise InvalidImage(DAMAGED)
    active = active_model_version()
    if active is not None and active != result.model_version:
        raise SearchUnavailable("Photo search is switching to a new model; try again in a minute.")
    tags = result_tags(result)
    matches = search_by_embedding(result.embedding, filters, limit=limit, query_tags=tags,
                                  model_version=result.model_version)
    return PhotoSearch(matches, tags, result.model_version,
                       embed_ms=(embedded - started) * 1000,
                       search_ms=(time.perf_counter() - embedded) * 1000)


# -- training data ------------------------------------------------------------------------------
def training_listings(since: datetime | None = None,
                      only_confirmed: bool = False) -> QuerySet[Listing]:
    """Listings whose photos and words may train the model, oldest first.

    Only public listings (active or sold) of active accounts: never one the seller removed, one a
    moderator hid, or one of a deactivated account. `since`: only listings with seller activity
    since then (created or edited, a photo added, a suggestion answered). `only_confirmed`: only
    listings whose seller answered at least one suggestion.
    """
    listings = public_listings().filter(seller__is_active=True)
    if since is not None:
        listings = listings.filter(
            Q(updated_at__gte=since)
            | Exists(Photo.objects.filter(listing=OuterRef("pk"), created_at__gte=since))
            | Exists(TrainingLabel.objects.filter(listing=OuterRef("pk"), created_at__gte=since)))
    if only_confirmed:
        listings = listings.filter(Exists(TrainingLabel.objects.filter(listing=OuterRef("pk"))))
    return listings.order_by("pk")


def confirmed_tags(listing_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Each listing's seller-confirmed values, e.g. {7: {"category": "shirts", "colour": "navy"}}:
    per field the seller's latest answer (accepted or edited), never the model's value. Title
    answers are left out: they already are the listing's title."""
    tags: dict[int, dict[str, str]] = {}
    answers = (TrainingLabel.objects.filter(listing_id__in=list(listing_ids))
               .exclude(field="title").order_by("created_at", "pk")
               .values_list("listing_id", "field", "seller_value"))
    for listing_id, name, value in answers:
        tags.setdefault(listing_id, {})[name] = value  # later answers overwrite earlier ones
    return tags
