import uuid

from django.conf import settings
from django.db import models

from marketplace.photos.models import private_storage


def source_upload_to(source: "SpinSource", filename: str) -> str:
    # Never reuse the uploader's file name in storage (personal data, collisions).
    return f"spins/{source.spin.listing_id}/{source.spin.key}/source/{source.position:03d}"


class Spin(models.Model):
    """A rotating view of a listing: the capture as uploaded and the frames stitched from it.

    Buyers only ever see the listing's live spin; a new capture stays private (preview) until its
    seller publishes it, which takes the previous one down in the same transaction.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        PROCESSING = "processing", "Stitching"
        DONE = "done", "Ready to publish"
        FAILED = "failed", "Failed"

    class SourceKind(models.TextChoices):
        VIDEO = "video", "Video"
        PHOTOS = "photos", "Photos"

    listing = models.ForeignKey("listings.Listing", related_name="spins", on_delete=models.CASCADE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True)
    key = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    source_kind = models.CharField(max_length=6, choices=SourceKind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=40, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    # When the stitching under way began (`services.start_processing`), and how many earlier
    # stitchings never ended (their worker died).
    claimed_at = models.DateTimeField(null=True, blank=True)
    interruptions = models.PositiveSmallIntegerField(default=0)
    # The manifest written by vision.spin (paths relative to `output_prefix` in storage).
    manifest = models.JSONField(null=True, blank=True)
    output_prefix = models.CharField(max_length=200, blank=True)
    frame_count = models.PositiveSmallIntegerField(default=0)
    loop_closed = models.BooleanField(null=True)
    is_live = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["listing"], condition=models.Q(is_live=True),
                                    name="one_live_spin_per_listing"),
            models.CheckConstraint(condition=models.Q(is_live=False) | models.Q(status="done"),
                                   name="only_finished_spins_are_live"),
            models.CheckConstraint(condition=models.Q(progress__lte=100),
                                   name="spin_progress_is_a_percentage"),
        ]

    def __str__(self) -> str:
        return f"Spin {self.pk} of listing {self.listing_id} ({self.status})"


class SpinSource(models.Model):
    """One uploaded file of a capture (the video, or one photo of a burst), kept as uploaded in
    the private storage (never served: phone files carry GPS/EXIF)."""

    spin = models.ForeignKey(Spin, related_name="sources", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to=source_upload_to, storage=private_storage, max_length=255)
    original_name = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["spin", "position"],
                                               name="one_source_per_position")]
