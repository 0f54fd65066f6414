"""Writes of the search app: analysis results, listing vectors, seller answers, the active version,
and the export of the sellers' answers as training data."""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet, Value
from django.utils import timezone
from pgvector import Bit

from marketplace.listings.models import Category, Listing
from marketplace.listings.selectors import is_seller, with_ready_photos
from marketplace.listings.services import publish_listing, update_draft
from marketplace.photos.models import Photo

from . import selectors
from .models import (
    ActiveModel, AnalysisAttempt, DraftTag, ListingDocument, ListingTag, ListingVector,
    PhotoAnalysis, TrainingLabel)
from .selectors import listing_suggestions

FAILURE_REASON_MAX = PhotoAnalysis._meta.get_field("failure_reason").max_length


def result_tags(result) -> dict:
    """The JSON stored for one engine `ImageResult`: its category, colour and attributes."""
    data = result.to_json()
    return {key: data[key] for key in ("category", "colour", "attributes")}


def bit_string(code) -> str:
    """A boolean array as the '0101…' text that `BitField` stores."""
    return Bit(np.asarray(code, dtype=bool)).to_text()


def failed_analysis(photo, model_version: str, reason: str) -> PhotoAnalysis:
    return PhotoAnalysis(photo=photo, listing_id=photo.listing_id, model_version=model_version,
                         status=PhotoAnalysis.Status.FAILED,
                         failure_reason=reason[:FAILURE_REASON_MAX])


def result_analysis(photo, result) -> PhotoAnalysis:
    if not result.ok:
        return failed_analysis(photo, result.model_version, result.error or "The model failed.")
    return PhotoAnalysis(photo=photo, listing_id=photo.listing_id,
                         model_version=result.model_version, status=PhotoAnalysis.Status.DONE,
                         embedding=result.embedding, code=bit_string(result.code),
                         tags=result_tags(result))


@transaction.atomic
def upsert_analyses(analyses: Sequence[PhotoAnalysis]) -> None:
    """Insert, or overwrite, one analysis per (photo, version) in a single statement.

    Upserts make a redelivered batch harmless: a photo is never analysed into two rows.
    Each row gets its listing's category, read under a row lock until the commit, so a category
    edit under way either lands first or waits and then updates these rows (`sync_category`).
    The photos' attempt counts (`start_attempts`) go, their attempts having ended.
    """
    categories = dict(Listing.objects.select_for_update(no_key=True).order_by("pk")
                      .filter(pk__in={analysis.listing_id for analysis in analyses})
                      .values_list("pk", "category_id"))
    for analysis in analyses:
        analysis.category_id = categories[analysis.listing_id]
    PhotoAnalysis.objects.bulk_create(
        analyses, update_conflicts=True, unique_fields=["photo", "model_version"],
        update_fields=["listing", "category", "status", "failure_reason", "embedding", "code",
                       "tags", "analysed_at"])
    ended: dict[str, list[int]] = {}
    for analysis in analyses:
        ended.setdefault(analysis.model_version, []).append(analysis.photo_id)
    for version, photo_ids in ended.items():
        AnalysisAttempt.objects.filter(model_version=version, photo__in=photo_ids).delete()


def record_failure(photo, model_version: str, reason: str) -> None:
    upsert_analyses([failed_analysis(photo, model_version, reason)])


def record_results(photos: Sequence, results: Sequence) -> None:
    """Store a batch's results, then refresh the touched listings' vectors, in one transaction."""
    with transaction.atomic():
        upsert_analyses([result_analysis(photo, result)
                         for photo, result in zip(photos, results, strict=True)])
        for version in {result.model_version for result in results}:
            refresh_listing_vectors({photo.listing_id for photo in photos}, version)


def unanalysed(photos: Sequence[Photo], version: str) -> list[Photo]:
    """The photos `version` has no stored analysis of. Call once their rows are locked: a row
    locked after its statement began (waited for, or freed just before) may have been analysed
    by the worker that held it."""
    analysed = set(PhotoAnalysis.objects.filter(photo__in=photos, model_version=version)
                   .values_list("photo_id", flat=True))
    return [photo for photo in photos if photo.pk not in analysed]


def claim_batch(photo_ids: Sequence[int], version: str, size: int,
                fill_from_pending: bool) -> list[Photo]:
    """Lock up to `size` photos not yet analysed by `version`: these ids first, then (with
    `fill_from_pending`) the oldest other pending photos, so the engine runs full batches.
    A photo the model was started on before without a result (its worker died: it may be the
    cause) is claimed alone, and never to fill a batch.

    Call inside a transaction; the locks last until it commits. These ids are waited for: their
    rows are also locked briefly by the photos app (renditions, reorder, move, delete) and by
    another worker analysing them, and once ours, what that worker stored meanwhile is left
    out. The fill-up skips photos others hold: a worker holding them stores them, or dies and
    `reconcile_pending` queues them again, so two workers never analyse the same photo.
    """
    pending = (Photo.objects.exclude(analyses__model_version=version)
               .order_by("pk").select_for_update(no_key=True))
    tried = AnalysisAttempt.objects.filter(model_version=version, photo=OuterRef("pk"))
    photos = list(pending.filter(pk__in=photo_ids).annotate(tried=Exists(tried))[:size])
    retried = [photo for photo in photos if photo.tried]
    if retried:
        return unanalysed(retried[:1], version)
    if photos and fill_from_pending and len(photos) < size:
        photos += (pending.select_for_update(no_key=True, skip_locked=True)
                   .exclude(pk__in=photo_ids).exclude(Exists(tried))[:size - len(photos)])
    return unanalysed(photos, version)


def read_originals(photos: Sequence[Photo], version: str) -> tuple[list[Photo], list[bytes]]:
    """The photos whose original could be read, with their bytes; those without one are stored
    as failed. Other storage errors propagate, for the task to retry the batch."""
    readable, images = [], []
    for photo in photos:
        try:
            with photo.original.open("rb") as original:
                images.append(original.read())
            readable.append(photo)
        except (FileNotFoundError, ValueError):  # ValueError: no file name at all
            record_failure(photo, version, "The original file of this photo is missing.")
    return readable, images


def start_attempts(photos: Sequence[Photo], images: Sequence[bytes], version: str
                   ) -> tuple[list[Photo], list[bytes]]:
    """Count one more attempt of the model on each photo (the caller commits it before the model
    runs) and return the photos with their bytes, but for those already tried
    SEARCH_MAX_ATTEMPTS times: these are stored as failed, with a reason for the seller."""
    if not photos:
        return [], []
    # One statement per batch (Django's upsert cannot add to the stored count): the engine waits
    # for it on every batch.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AnalysisAttempt._meta.db_table} AS attempt"
            " (photo_id, model_version, count) SELECT unnest(%s::bigint[]), %s, 1"
            " ON CONFLICT (photo_id, model_version) DO UPDATE SET count = attempt.count + 1"
            " RETURNING photo_id, count", [[photo.pk for photo in photos], version])
        counts = dict(cursor.fetchall())
    kept, kept_images = [], []
    for photo, image in zip(photos, images, strict=True):
        if counts[photo.pk] > settings.SEARCH_MAX_ATTEMPTS:
            record_failure(photo, version, "Our photo analysis stopped working on this photo "
                           f"{counts[photo.pk] - 1} times, so it was set aside. Upload the photo "
                           "again (a re-saved or smaller copy) to have it analysed.")
        else:
            kept.append(photo)
            kept_images.append(image)
    return kept, kept_images


def take_back_attempts(photos: Sequence[Photo], version: str) -> None:
    """Take back the attempt `start_attempts` counted on each photo (in a transaction of its
    own), for an attempt that ended for a reason other than the photos (e.g. a database error)."""
    with transaction.atomic():
        attempts = AnalysisAttempt.objects.filter(model_version=version, photo__in=photos)
        attempts.update(count=F("count") - 1)
        attempts.filter(count__lte=0).delete()


def analyse_photos(photo_ids: Iterable[int], engine, batch_size: int = 16,
                   fill_from_pending: bool = False) -> int:
    """Tag and embed the photos that `engine`'s version has not analysed yet; return how many
    photos were analysed (with `fill_from_pending`, other listings' pending photos included).

    Each engine batch takes two transactions: one claims it, reads its originals and counts an
    attempt for each photo (`start_attempts`); once that is committed, the other locks the
    photos again, runs the model and stores the results. So a crash loses at most the batch in
    flight, a redelivered task skips what is already stored, and a photo that kills the worker
    is known by its count. A database error in the second one (which the task retries) takes
    the attempts back (`take_back_attempts`): retries do not set healthy photos aside. A batch
    holding none of `photo_ids` ends the call.
    """
    version = engine.model_version
    ensure_active_version(version)
    photo_ids = sorted(set(photo_ids))
    analysed = 0
    while True:
        with transaction.atomic():
            photos = claim_batch(photo_ids, version, batch_size, fill_from_pending)
            if not photos:
                return analysed
            readable, images = read_originals(photos, version)
            readable, images = start_attempts(readable, images, version)
        try:
            with transaction.atomic():
                by_pk = dict(zip((photo.pk for photo in readable), images))
                # Waits for a worker that took one of them in between, then skips what it
                # stored.
                locked = unanalysed(list(Photo.objects.filter(pk__in=list(by_pk))
                                         .order_by("pk").select_for_update(no_key=True)),
                                    version)
                record_results(locked, engine.run([by_pk[photo.pk] for photo in locked])
                               if locked else [])
        except DatabaseError:  # not the photos' doing; the task tries them again
            take_back_attempts(readable, version)
            raise
        analysed += len(photos)


def confident_words(tags: dict) -> set[str]:
    """Labels the model is sure of (category slug, colour, attribute values)."""
    predictions = [tags.get("category"), tags.get("colour"), *tags.get("attributes", {}).values()]
    return {p["label"] for p in predictions if p and p.get("suggested")}


def refresh_listing_vectors(listing_ids: Iterable[int], model_version: str) -> None:
    """Recompute each listing's vector (normalised mean of its photos) for one model version,
    in three statements whatever the number of listings."""
    listing_ids = set(listing_ids)
    per_listing: dict[int, list[tuple]] = {}
    for listing_id, embedding, tags in PhotoAnalysis.objects.filter(
            listing_id__in=listing_ids, model_version=model_version,
            status=PhotoAnalysis.Status.DONE, photo__listing_id=F("listing_id"),
    ).values_list("listing_id", "embedding", "tags"):
        per_listing.setdefault(listing_id, []).append((embedding, tags))
    ListingVector.objects.filter(listing_id__in=listing_ids - per_listing.keys(),
                                 model_version=model_version).delete()
    ListingVector.objects.bulk_create(
        [listing_vector(listing_id, model_version, analyses)
         for listing_id, analyses in sorted(per_listing.items())],
        update_conflicts=True, unique_fields=["listing", "model_version"],
        update_fields=["embedding", "tag_words", "updated_at"])


def listing_vector(listing_id: int, model_version: str, analyses: list[tuple]) -> ListingVector:
    """The vector row of one listing from its photos' (embedding, tags)."""
    mean = np.mean([np.asarray(embedding) for embedding, _ in analyses], axis=0)
    mean /= max(float(np.linalg.norm(mean)), 1e-12)
    words = sorted(set().union(*(confident_words(tags) for _, tags in analyses)))
    return ListingVector(listing_id=listing_id, model_version=model_version,
                         embedding=mean.astype(np.float32), tag_words=words)


def refresh_all_versions(listing_id: int) -> None:
    """Recompute a listing's vectors for every model version that has one (after a photo left)."""
    versions = set(ListingVector.objects.filter(listing_id=listing_id)
                   .values_list("model_version", flat=True))
    for version in versions:
        refresh_listing_vectors([listing_id], version)


def index_listing_text(listing: Listing) -> None:
    """Store the listing's weighted full-text document (title A, category B, description C)."""
    config = selectors.TEXT_SEARCH_CONFIG
    document = (SearchVector(Value(listing.title), weight="A", config=config)
                + SearchVector(Value(listing.category.name if listing.category_id else ""),
                               weight="B", config=config)
                + SearchVector(Value(listing.description), weight="C", config=config))
    ListingDocument.objects.update_or_create(listing=listing, defaults={"document": document})


def sync_category(listing: Listing) -> None:
    """Give the listing's analyses its category again (after an edit: one UPDATE, if any)."""
    PhotoAnalysis.objects.filter(listing=listing).exclude(
        category_id=listing.category_id).update(category_id=listing.category_id)


def activate_model_version(model_version: str) -> None:
    """Point every search at `model_version`'s vectors (one row update, atomic)."""
    ActiveModel(model_version=model_version).save()


def ensure_active_version(model_version: str) -> str:
    """On a fresh site the first model that analyses a photo becomes the active one."""
    active, _ = ActiveModel.objects.get_or_create(pk=1, defaults={"model_version": model_version})
    return active.model_version


def answer_suggestion(listing: Listing, seller, field: str, value: str,
                      suggestions: selectors.Suggestions | None = None) -> None:
    """Apply the seller's accepted or edited value and keep the answer as a training label.

    `field` is "category" (a category slug), "title", "colour" or an attribute name;
    `suggestions`: the listing's, when the caller has just read them.
    Raises ValueError for an unknown field or category.
    """
    value = value.strip()
    suggestions = suggestions or listing_suggestions(listing)
    suggested = suggestions.get(field)
    if field not in suggestions.fields or not value:
        raise ValueError(f"Nothing to answer for {field!r}.")
    with transaction.atomic():
        if field == "category":
            try:
                listing.category = Category.objects.get(slug=value)
            except Category.DoesNotExist:
                raise ValueError(f"Unknown category {value!r}.") from None
            listing.save(update_fields=["category", "updated_at"])
        elif field == "title":
            listing.title = value[:Listing._meta.get_field("title").max_length]
            listing.save(update_fields=["title", "updated_at"])
        else:
            ListingTag.objects.update_or_create(
                listing=listing, name=field, defaults={"value": value.lower()[:60]})
        TrainingLabel.objects.create(
            listing=listing, seller=seller, field=field, seller_value=value,
            model_value=suggested.value if suggested else "",
            model_version=suggestions.model_version)


def publish_draft(listing: Listing, seller, fields: dict, answers: dict[str, str]) -> Listing:
    """Publish a draft started from photos (`listings.services.publish_listing`, which raises
    ValidationError per missing field) with its `fields`, and answer, as the panel's Accept
    does, each suggestion the seller kept or edited: `answers` maps a suggested field to the
    seller's value (a category slug, the title, a colour or attribute value). All or nothing.
    Raises PermissionDenied for anyone but the seller, and ValidationError when a suggestion the
    seller answered is gone (the worker re-analysed the photos since the page read them)."""
    if not is_seller(listing, seller):
        raise PermissionDenied("Only the seller can publish this draft.")
    with transaction.atomic():
        suggestions = listing_suggestions(listing)
        for name, value in answers.items():
            try:
                answer_suggestion(listing, seller, name, value, suggestions)
            except ValueError:
                raise ValidationError("The photos' suggestions changed while you were "
                                      "publishing: check the form and publish again.") from None
        DraftTag.objects.filter(listing=listing).delete()  # answered now
        return publish_listing(listing, **fields)


def save_draft(listing: Listing, seller, fields: dict, tags: dict[str, str | None]) -> Listing:
    """Keep what the seller typed in a draft's form without publishing it: its `fields`
    (`listings.services.update_draft`, which raises ValidationError for an invalid value or a
    listing that is no draft; then nothing is saved) and `tags`, the value left in each
    suggestion's box ("" for a box emptied; None for one still holding the suggestion, which
    then goes on following the suggestions). Nothing is answered, so no training label: that
    is publishing's. Raises PermissionDenied for anyone but the seller."""
    if not is_seller(listing, seller):
        raise PermissionDenied("Only the seller can save this draft.")
    with transaction.atomic():
        update_draft(listing, **fields)
        for name, value in tags.items():
            if value is None:
                DraftTag.objects.filter(listing=listing, name=name).delete()
            else:
                DraftTag.objects.update_or_create(
                    listing=listing, name=name, defaults={"value": value})
    return listing


# -- training data ------------------------------------------------------------------------------
EXPORT_CHUNK = 500  # listings read (with their photos and answers) per query


@dataclass
class TrainingExport:
    listings: int = 0
    photos: int = 0
    unreadable: list[int] = field(default_factory=list)  # photo ids whose rendition is missing


def export_training_data(out_dir: Path | str, listings: QuerySet[Listing], *,
                         filters: dict | None = None,
                         progress: Callable = lambda items, total: items) -> TrainingExport:
    """Write `listings` (see `selectors.training_listings`) as a dataset folder for
    `vision.train` (read by `vision.datasets.marketplace`):

    - `photos/<photo id>.jpg`: each processed photo's display rendition. It is what training
      needs (upright, sRGB, ≤ 1600 px for a 224-px trunk) and carries no EXIF/GPS: the originals
      never leave the private storage. Photos still pending or that failed are left out.
    - `manifest.jsonl`: one line per photo: photo path, listing id (the product: a listing's
      photos are one product), title, description, the category slug the seller chose, and the
      seller's confirmed tags (`selectors.confirmed_tags`).
    - `export.json`: when, with which `filters`, how many listings and photos.

    Re-exporting into the same folder replaces it: photos no longer exported (a listing taken
    down since, a photo deleted) are removed. A non-empty folder that is not an export is refused
    (ValueError). `progress(iterable, total)` wraps the listing loop (e.g. tqdm).
    """
    from vision.datasets import MARKETPLACE_MANIFEST

    out_dir = Path(out_dir)
    manifest = out_dir / MARKETPLACE_MANIFEST
    partial = manifest.with_suffix(".partial")  # also marks an export that was interrupted
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (manifest.is_file()
                                                            or partial.is_file()):
        raise ValueError(f"{out_dir} is not empty and is not a training export; "
                         f"choose a new folder.")
    photos_dir = out_dir / "photos"
    photos_dir.mkdir(parents=True, exist_ok=True)
    summary, written = TrainingExport(), set()
    ids = list(listings.values_list("pk", flat=True))
    with open(partial, "w", encoding="utf-8") as lines:
        for listing, tags in progress(listings_with_tags(listings, ids), total=len(ids)):
            rows = []
            for photo in listing.ready_photos:
                target = photos_dir / f"{photo.pk}.jpg"
                if not copy_display(photo, target):
                    summary.unreadable.append(photo.pk)
                    continue
                written.add(target.name)
                rows.append({"photo": f"photos/{target.name}", "listing": listing.pk,
                             "title": listing.title, "description": listing.description,
                             "category": listing.category.slug, "confirmed": tags})
            lines.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
            summary.listings += bool(rows)
            summary.photos += len(rows)
    partial.replace(manifest)
    for stale in photos_dir.iterdir():
        if stale.name not in written:
            stale.unlink()
    (out_dir / "export.json").write_text(json.dumps({
        "exported_at": timezone.now().isoformat(), "filters": filters or {},
        "listings": summary.listings, "photos": summary.photos}, indent=2) + "\n")
    return summary


def listings_with_tags(listings: QuerySet[Listing], ids: list[int]
                       ) -> Iterator[tuple[Listing, dict[str, str]]]:
    """Each listing (with its `ready_photos`) and its seller-confirmed tags, a chunk at a time;
    the chunk is read through `listings` again, so one taken down meanwhile is skipped."""
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = ids[start:start + EXPORT_CHUNK]
        tags = selectors.confirmed_tags(chunk)
        for listing in with_ready_photos(listings.filter(pk__in=chunk)):
            yield listing, tags.get(listing.pk, {})


def copy_display(photo: Photo, target: Path) -> bool:
    """Copy the photo's display rendition to `target`; False when it cannot be read."""
    try:
        with photo.display.open("rb") as source:
            with open(target, "wb") as out:
                shutil.copyfileobj(source, out)
    except (OSError, ValueError):
        target.unlink(missing_ok=True)
        return False
    return True
