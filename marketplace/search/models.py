"""Vision state of photos and listings, kept apart from the photos app's rendition state.

Every vector row carries the `model_version` that produced it; searches read only the rows of
the version named by `ActiveModel`, so `manage.py reindex` can fill a new version's rows while
the site keeps serving the old ones, then switch in one update.
"""
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from pgvector.django import BitField, HnswIndex, VectorField

EMBEDDING_DIM = 256


class ActiveModel(models.Model):
    """The single row naming the model version whose vectors searches use."""

    model_version = models.CharField(max_length=100)
    switched_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.model_version

    def save(self, *args, **kwargs):
        self.pk = 1  # a singleton: there is one active version for the whole site
        super().save(*args, **kwargs)


class PhotoAnalysis(models.Model):
    """What one model version saw in one photo: tags, embedding and binary code."""

    class Status(models.TextChoices):
        DONE = "done", "Analysed"
        FAILED = "failed", "Failed"

    photo = models.ForeignKey("photos.Photo", related_name="analyses", on_delete=models.CASCADE)
    # Denormalised from the photo so vector searches filter listings with a single join.
    listing = models.ForeignKey(
        "listings.Listing", related_name="photo_analyses", on_delete=models.CASCADE)
    # The listing's category, so a category filter ranks codes from one index; always equal to
    # the listing's (set by services.upsert_analyses, updated with the listing by signals.py).
    # None while the listing is a draft without one.
    category = models.ForeignKey("listings.Category", related_name="+", null=True,
                                 on_delete=models.PROTECT)
    model_version = models.CharField(max_length=100)
    status = models.CharField(max_length=6, choices=Status.choices)
    failure_reason = models.CharField(max_length=300, blank=True)
    embedding = VectorField(dimensions=EMBEDDING_DIM, null=True, blank=True)
    code = BitField(length=EMBEDDING_DIM, null=True, blank=True)
    # {"category": {"label", "score", "top", "suggested"}, "colour": {...}, "attributes": {...}}
    tags = models.JSONField(default=dict, blank=True)
    analysed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "photo analyses"
        constraints = [
            models.UniqueConstraint(fields=["photo", "model_version"],
                                    name="one_analysis_per_photo_and_version"),
        ]
        indexes = [
            HnswIndex(name="photoanalysis_embedding_hnsw", fields=["embedding"],
                      m=16, ef_construction=64, opclasses=["vector_cosine_ops"]),
            HnswIndex(name="photoanalysis_code_hnsw", fields=["code"],
                      m=16, ef_construction=64, opclasses=["bit_hamming_ops"]),
            models.Index(fields=["model_version", "listing"]),
            # Covers counting a category's photos and ranking their codes by an index-only
            # scan, without table reads (selectors.photos_in_categories, nearest_codes).
            models.Index(name="photoanalysis_category_code", fields=["model_version", "category"],
                         include=["id", "code"], condition=models.Q(status="done")),
        ]

    def __str__(self) -> str:
        return f"{self.model_version} analysis of photo {self.photo_id}: {self.status}"


class AnalysisAttempt(models.Model):
    """How many times the model started on a photo for a version without its result being stored,
    counted before each run in a transaction of its own: a photo that kills the worker (out of
    memory, a crash in native code) is tried again alone, then given up on
    (`services.start_attempts`), instead of taking every batch down with it. Deleted with the
    stored result."""

    photo = models.ForeignKey("photos.Photo", related_name="analysis_attempts",
                              on_delete=models.CASCADE)
    model_version = models.CharField(max_length=100)
    count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["photo", "model_version"],
                                    name="one_attempt_count_per_photo_and_version"),
        ]

    def __str__(self) -> str:
        return f"{self.model_version} attempts on photo {self.photo_id}: {self.count}"


class ListingVector(models.Model):
    """A listing's place in the embedding space: the normalised mean of its photos' vectors."""

    listing = models.ForeignKey(
        "listings.Listing", related_name="vectors", on_delete=models.CASCADE)
    model_version = models.CharField(max_length=100)
    embedding = VectorField(dimensions=EMBEDDING_DIM)
    # Labels the model is confident about (category, colour, attribute values), for text search.
    tag_words = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listing", "model_version"],
                                    name="one_vector_per_listing_and_version"),
        ]
        indexes = [
            HnswIndex(name="listingvector_embedding_hnsw", fields=["embedding"],
                      m=16, ef_construction=64, opclasses=["vector_cosine_ops"]),
            GinIndex(name="listingvector_tag_words_gin", fields=["tag_words"]),
        ]


class ListingTag(models.Model):
    """A colour or attribute the seller confirmed for their listing (boosts text search)."""

    listing = models.ForeignKey("listings.Listing", related_name="tags", on_delete=models.CASCADE)
    name = models.CharField(max_length=40)  # "colour", "pattern", "material", …
    value = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "name"],
                                    name="one_tag_per_listing_and_name"),
        ]
        indexes = [models.Index(fields=["value"])]

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


class DraftTag(models.Model):
    """The value the seller left in a draft's box for a suggested colour or attribute when they
    saved the draft ("" for a box they emptied), shown instead of the suggestion until they
    publish: then it is their answer (a TrainingLabel, and a ListingTag unless empty)."""

    listing = models.ForeignKey(
        "listings.Listing", related_name="draft_tags", on_delete=models.CASCADE)
    name = models.CharField(max_length=40)
    value = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listing", "name"],
                                    name="one_draft_tag_per_listing_and_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


class TrainingLabel(models.Model):
    """A seller's answer to a model suggestion: training data for the next model version."""

    listing = models.ForeignKey(
        "listings.Listing", related_name="training_labels", on_delete=models.CASCADE)
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, related_name="+", on_delete=models.SET_NULL)
    field = models.CharField(max_length=40)  # "category", "colour", "title", an attribute name
    model_value = models.CharField(max_length=200, blank=True)
    seller_value = models.CharField(max_length=200)
    model_version = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def accepted(self) -> bool:
        return self.model_value == self.seller_value


class ListingDocument(models.Model):
    """A listing's words for full-text search (title, category, description), GIN-indexed.

    Kept up to date on every save of the listing (see `signals.py`).
    """

    listing = models.OneToOneField(
        "listings.Listing", primary_key=True, related_name="search_document",
        on_delete=models.CASCADE)
    document = SearchVectorField()

    class Meta:
        indexes = [GinIndex(fields=["document"], name="listingdocument_gin")]
