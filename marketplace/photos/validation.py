"""Checks an upload must pass before anything is stored (used by the web form and the API).

Every file of a batch is checked and the batch is refused as a whole if any file fails, with one
message per bad file. The cheap checks run first (size from the upload handler, the first bytes,
the image header) so a huge or hostile file is refused before Pillow decodes a single pixel.
"""
import warnings
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

from .renditions import DECODE_ERRORS  # importing it also registers the HEIC opener

# MPO is how Pillow names a JPEG carrying extra pictures (many phone and camera photos).
ACCEPTED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP",
                    "HEIF": "HEIC/HEIF"}
ACCEPTED_DESCRIPTION = "a JPEG, PNG, WebP or HEIC photo"
# How far into a file to look for the start of an XML/SVG document.
SNIFF_BYTES = 1024
# A file Pillow cannot decode; photo search says the same of a query photo (`search.query_image`).
DAMAGED_IMAGE = "the image is damaged or incomplete and could not be decoded."


def check_photo_count(existing: int, adding: int) -> None:
    limit = settings.PHOTOS_PER_LISTING
    if adding == 0:
        raise ValidationError("Choose at least one photo to upload.", code="no_files")
    if existing + adding > limit:
        room = max(limit - existing, 0)
        raise ValidationError(
            "A listing can have at most %(limit)d photos; this one has %(existing)d, so you can "
            "add %(room)d more (you chose %(adding)d).",
            code="too_many",
            params={"limit": limit, "existing": existing, "room": room, "adding": adding},
        )


def validate_photo_files(files: Sequence[UploadedFile], *, existing: int = 0) -> None:
    """Raise one ValidationError listing every problem of the batch; return if all is well."""
    check_photo_count(existing, len(files))
    errors = []
    for upload in files:
        try:
            validate_photo_file(upload)
        except ValidationError as error:
            errors.append(ValidationError(
                "“%(name)s”: %(reason)s", code=error.code,
                params={"name": upload.name, "reason": error.messages[0]}))
    if errors:
        # The good files of the batch are not kept either: say so before naming the bad ones.
        summary = ValidationError(
            "Nothing was saved: %(bad)d of the %(total)d files cannot be used. Remove or replace "
            "them and upload again." if len(files) > 1 else "Nothing was saved.",
            code="batch_refused", params={"bad": len(errors), "total": len(files)})
        raise ValidationError([summary, *errors])


def validate_photo_file(upload: UploadedFile) -> None:
    """Refuse anything but a complete, decodable JPEG/PNG/WebP/HEIC within the size limits."""
    if upload.size == 0:
        raise ValidationError("the file is empty.", code="empty")
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            "the file is %(size)s; photos may be at most %(limit)s.", code="too_big",
            params={"size": filesizeformat(upload.size),
                    "limit": filesizeformat(settings.PHOTO_MAX_BYTES)})
    upload.seek(0)
    if looks_like_markup(upload.read(SNIFF_BYTES)):
        raise ValidationError(
            "SVG and other text files are not accepted; upload %(accepted)s.",
            code="svg", params={"accepted": ACCEPTED_DESCRIPTION})
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                check_header(image)
                # A JPEG is decoded at 1/8 scale: every byte is still read and checked, with
                # 1/64 of the pixels in memory. Other formats decode at full size. (At least
                # 1 px a side: Pillow divides by the requested size.)
                image.draft(None, (max(image.width // 8, 1), max(image.height // 8, 1)))
                image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise pixel_limit_error() from None
    except UnidentifiedImageError:
        raise ValidationError(
            "this is not an image we can read; upload %(accepted)s.",
            code="not_image", params={"accepted": ACCEPTED_DESCRIPTION}) from None
    except DECODE_ERRORS:
        raise ValidationError(DAMAGED_IMAGE, code="corrupt") from None
    finally:
        upload.seek(0)


def check_header(image: Image.Image) -> None:
    """Format and pixel count, read from the header before any pixel is decoded."""
    if image.format not in ACCEPTED_FORMATS:
        raise ValidationError(
            "%(format)s images are not accepted; upload %(accepted)s.", code="format",
            params={"format": image.format, "accepted": ACCEPTED_DESCRIPTION})
    width, height = image.size
    if width * height > settings.PHOTO_MAX_PIXELS:
        raise pixel_limit_error(width, height)


def pixel_limit_error(width: int | None = None, height: int | None = None) -> ValidationError:
    size = f"{width}×{height} pixels" if width else "far too large"
    return ValidationError(
        "the image is %(size)s; photos may have at most %(limit)s megapixels.",
        code="too_many_pixels",
        params={"size": size, "limit": f"{settings.PHOTO_MAX_PIXELS / 1_000_000:g}"})


def looks_like_markup(head: bytes) -> bool:
    """True for SVG/XML/HTML whatever the file is called (no image format starts with '<')."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
