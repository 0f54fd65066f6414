import uuid

from django.core.files.storage import Storage, storages
from django.db import models


def private_storage() -> Storage:
    """settings.STORAGES["private"]: never served (originals may carry EXIF/GPS)."""
    return storages["private"]


def original_upload_to(photo: "Photo", filename: str) -> str:
    # Never reuse the uploader's file name: it can leak personal data and collide.
    return f"photos/{photo.listing_id}/{uuid.uuid4().hex}/original"


class Photo(models.Model):
    """One uploaded photo of a listing and the renditions made from it by the worker."""

    class Status(models.TextChoices):
        PENDING = "pending", "Processing"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    listing = models.ForeignKey(
        "listings.Listing", related_name="photos", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)
    # The upload as received, in the private storage; only renditions (default storage) are served.
    original = models.FileField(upload_to=original_upload_to, storage=private_storage,
                                max_length=255)
    display = models.FileField(blank=True, max_length=255)
    thumbnail = models.FileField(blank=True, max_length=255)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    failure_reason = models.CharField(max_length=300, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Photo {self.pk} of listing {self.listing_id}"
