"""Writes for rotating views: accept a capture, track the worker, publish."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Callable, Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import Storage, default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Case, F, Q, When
from django.utils import timezone
from django.utils.text import get_valid_filename

from marketplace.photos.services import delete_files, overwrite
from marketplace.photos.validation import validate_photo_file

from .models import Spin, SpinSource

VIDEO_EXTENSIONS = {"mp4", "mov", "m4v", "webm"}
PHOTO_EXTENSIONS = {"jpg", "jpeg", "png", "webp", "heic", "heif"}


def extension(upload: UploadedFile) -> str:
    return Path(upload.name or "").suffix.lower().lstrip(".")


def check_total_size(uploads: list[UploadedFile]) -> None:
    """Refuse oversized captures from the sizes alone, before a byte of them is read."""
    total = sum(upload.size or 0 for upload in uploads)
    if total > settings.SPIN_UPLOAD_MAX_BYTES:
        raise ValidationError(
            f"The capture is {total / 2**20:,.0f} MB; the limit is "
            f"{settings.SPIN_UPLOAD_MAX_BYTES / 2**20:,.0f} MB. Record a shorter clip "
            "(5–20 s is plenty) or at a lower resolution.", code="too_large")


def validate_video(upload: UploadedFile) -> None:
    from vision.spin import SpinConfig, SpinError
    from vision.spin.sources import probe_video

    if extension(upload) not in VIDEO_EXTENSIONS:
        raise ValidationError("Upload the video as MP4, MOV or WebM.", code="video_type")
    path = getattr(upload, "temporary_file_path", None)
    try:
        probe_video(path() if path else upload.file, SpinConfig(
            max_video_seconds=settings.SPIN_VIDEO_MAX_SECONDS))
    except SpinError as error:
        raise ValidationError(error.message, code=error.code) from error
    finally:
        upload.seek(0)


# What a spin's capture page says for each refusal of the photos app's upload check.
PHOTO_REFUSALS = {
    "too_big": "{name} is larger than {limit} MB.",
    "too_many_pixels": "{name} has too many pixels.",
    "format": "{name}: use JPEG, PNG, WebP or HEIC photos.",
    "svg": "{name}: use JPEG, PNG, WebP or HEIC photos.",
}


def validate_photos(uploads: list[UploadedFile]) -> None:
    """The photo count, then each photo through the same check as listing photos."""
    low, high = settings.SPIN_MIN_PHOTOS, settings.SPIN_MAX_PHOTOS
    if not low <= len(uploads) <= high:
        raise ValidationError(
            f"Upload {low} to {high} photos taken all around the item (you sent "
            f"{len(uploads)}), or a short video instead.", code="photo_count")
    for upload in uploads:
        if extension(upload) not in PHOTO_EXTENSIONS:
            raise ValidationError(PHOTO_REFUSALS["format"].format(name=upload.name),
                                  code="photo_type")
        try:
            validate_photo_file(upload)
        except ValidationError as error:
            message = PHOTO_REFUSALS.get(error.code, "{name} is not a photo we can read.")
            code = "too_large" if error.code in ("too_big", "too_many_pixels") else "photo_type"
            raise ValidationError(message.format(
                name=upload.name, limit=settings.PHOTO_MAX_BYTES // 2**20), code=code) from error


@transaction.atomic
def create_spin(*, listing, user, video: UploadedFile | None = None,
                photos: Iterable[UploadedFile] = ()) -> Spin:
    """Validate a capture, keep its files and queue the stitching; all or nothing."""
    from worker.tasks.spins import process_spin

    if listing.seller_id != user.pk:
        raise PermissionDenied
    photos = list(photos)
    if bool(video) == bool(photos):
        raise ValidationError("Upload either one video or a set of photos.", code="source")
    uploads = [video] if video else photos
    check_total_size(uploads)
    if video:
        validate_video(video)
    else:
        validate_photos(photos)
    spin = Spin.objects.create(
        listing=listing, created_by=user,
        source_kind=Spin.SourceKind.VIDEO if video else Spin.SourceKind.PHOTOS)
    saved: list[tuple[Storage, str]] = []
    try:
        for position, upload in enumerate(uploads):
            source = SpinSource(spin=spin, position=position, size=upload.size,
                                original_name=get_valid_filename(upload.name)[-120:])
            source.file.save("source", upload, save=True)
            saved.append((source.file.storage, source.file.name))
    except BaseException:
        delete_files(saved)  # the transaction rolls the rows back; take the files with them
        raise
    # robust: with the broker down the upload still succeeds; the spin waits, and is queued
    # again at worker start or by beat (`requeue_lost_spins`).
    transaction.on_commit(lambda: process_spin.delay(spin.pk), robust=True)
    return spin


def abandoned_claim(now) -> Q:
    """Spins whose stitching began more than SPIN_CLAIM_LEASE_SECONDS ago and never ended (its
    worker died, or was killed, with the claim)."""
    lease = timedelta(seconds=settings.SPIN_CLAIM_LEASE_SECONDS)
    return Q(status=Spin.Status.PROCESSING, claimed_at__lt=now - lease)


def requeue_lost_spins(older_than: timedelta | None = None) -> list[int]:
    """Queue stitching again for the spins whose task was lost: every waiting one (e.g. after
    Redis lost its queue), or only those uploaded more than `older_than` ago, and every one
    whose stitching was abandoned (`abandoned_claim`); returns their ids. Over-queueing is safe:
    `start_processing` hands a spin to one task only."""
    from worker.tasks.spins import process_spin

    now = timezone.now()
    waiting = Q(status=Spin.Status.PENDING)
    if older_than is not None:
        waiting &= Q(created_at__lt=now - older_than)
    spin_ids = list(Spin.objects.filter(waiting | abandoned_claim(now))
                    .order_by("pk").values_list("pk", flat=True))
    for spin_id in spin_ids:
        process_spin.delay(spin_id)
    return spin_ids


def start_processing(spin_id: int) -> Spin | None:
    """Claim a spin for stitching, in one UPDATE (so one task gets it): a waiting spin, or one
    whose stitching was abandoned, which counts as an interruption. None if the spin needs no
    stitching (finished, failed, deleted) or another task holds it; a spin interrupted
    SPIN_MAX_ATTEMPTS times is marked failed instead."""
    now = timezone.now()
    abandoned = abandoned_claim(now)
    claimed = Spin.objects.filter(Q(status=Spin.Status.PENDING) | abandoned, pk=spin_id).update(
        status=Spin.Status.PROCESSING, progress=0, stage="starting", claimed_at=now,
        interruptions=F("interruptions") + Case(When(abandoned, then=1), default=0))
    spin = Spin.objects.filter(pk=spin_id).first() if claimed else None
    if spin is not None and spin.interruptions >= settings.SPIN_MAX_ATTEMPTS:
        fail_spin(spin.pk, f"Stitching was interrupted {spin.interruptions} times; the capture "
                  "may be too large for us. Upload a shorter clip (5–20 s) or fewer photos.")
        return None
    return spin


def release_spin(spin_id: int) -> None:
    """Hand a claimed spin back after a temporary error, so that the task's retry claims it."""
    Spin.objects.filter(pk=spin_id, status=Spin.Status.PROCESSING).update(
        status=Spin.Status.PENDING, progress=0, stage="", claimed_at=None)


def download_sources(spin: Spin, folder: Path) -> Path:
    """Copy the capture out of storage for the decoder: the video file, or a folder of photos."""
    folder.mkdir(parents=True)
    for source in spin.sources.all():
        target = folder / f"{source.position:03d}-{source.original_name}"
        with source.file.open("rb") as stored, open(target, "wb") as local:
            for chunk in stored.chunks():
                local.write(chunk)
    files = sorted(folder.iterdir())
    return files[0] if spin.source_kind == Spin.SourceKind.VIDEO else folder


def progress_recorder(spin: Spin) -> Callable[[int, str], None]:
    """A callback for the pipeline that saves progress, at most once per 2% or stage change."""
    last = {"percent": -100, "stage": ""}

    def record(percent: int, stage: str) -> None:
        if percent - last["percent"] >= 2 or stage != last["stage"]:
            Spin.objects.filter(pk=spin.pk).update(progress=min(percent, 99), stage=stage)
            last.update(percent=percent, stage=stage)

    return record


def served_files(manifest: dict) -> list[str]:
    """The files of a stitched spin that buyers load: each frame's display and zoom JPEG and
    the sprite sheet. Nothing else of the output folder is published: its manifest.json names
    the seller's files (the database keeps the manifest)."""
    frames = {frame[size] for frame in manifest["frames"] for size in ("display", "zoom")}
    return sorted(frames | {manifest["sprite"]["file"]})


def finish_spin(spin: Spin, out_dir: Path, manifest: dict) -> None:
    """Store the renditions, then mark the spin ready to preview (never live by itself)."""
    prefix = f"spins/{spin.listing_id}/{spin.key}/frames/"
    saved: list[tuple[Storage, str]] = []
    try:
        for name in served_files(manifest):
            # Overwrite: a stitching re-done (after a crash, a retry) keeps the same names.
            saved.append((default_storage, overwrite(default_storage, prefix + name,
                                                     (out_dir / name).read_bytes())))
    except BaseException:
        delete_files(saved)
        raise
    Spin.objects.filter(pk=spin.pk).update(
        status=Spin.Status.DONE, progress=100, stage="done", manifest=manifest,
        output_prefix=prefix, frame_count=manifest["frame_count"],
        loop_closed=manifest["loop_closed"], processed_at=timezone.now())


def fail_spin(spin_id: int, reason: str) -> None:
    """Record why a spin could not be stitched (a finished spin is left as it is)."""
    Spin.objects.filter(pk=spin_id).exclude(status=Spin.Status.DONE).update(
        status=Spin.Status.FAILED, stage="failed", failure_reason=reason[:300],
        processed_at=timezone.now())


@transaction.atomic
def publish_spin(spin: Spin, user) -> Spin:
    """Make a finished spin the listing's live one, replacing the previous live spin."""
    # FOR UPDATE without OF locks the joined listing row too: two publishes on one listing
    # take turns instead of both passing and breaking `one_live_spin_per_listing`.
    spin = Spin.objects.select_for_update().select_related("listing").get(pk=spin.pk)
    if spin.listing.seller_id != user.pk:
        raise PermissionDenied
    if spin.status != Spin.Status.DONE:
        raise ValidationError("Only a finished spin can be published.", code="not_ready")
    Spin.objects.filter(listing=spin.listing, is_live=True).exclude(pk=spin.pk).update(
        is_live=False)
    spin.is_live, spin.published_at = True, timezone.now()
    spin.save(update_fields=["is_live", "published_at"])
    return spin
