"""Checks on a buyer's query photo before the model sees it: size, format and pixel count.

Only the header is read here (cheap, and safe against decompression bombs); the engine decodes
the pixels itself and reports a corrupt body as a failed result.
"""
from __future__ import annotations

from io import BytesIO

from django.conf import settings
from PIL import Image, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()  # phone cameras upload HEIC

NOT_AN_IMAGE = "This file is not a readable image (upload a JPEG, PNG, WebP or HEIC photo)."


class InvalidImage(ValueError):
    """The upload cannot be searched with; the message is shown to the buyer as is."""


def read_query_image(upload) -> bytes:
    """The upload's bytes if they look like a photo we accept, else raise InvalidImage."""
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise InvalidImage(f"The photo is too large (at most {settings.PHOTO_MAX_BYTES // 2**20} MB).")
    data = upload.read()
    if not data:
        raise InvalidImage("The uploaded file is empty.")
    too_many_pixels = InvalidImage(
        f"The photo has too many pixels (at most {settings.PHOTO_MAX_PIXELS // 1_000_000} megapixels).")
    try:
        with Image.open(BytesIO(data)) as probe:
            width, height = probe.size
    except Image.DecompressionBombError:
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidImage(NOT_AN_IMAGE) from None
    if width * height > settings.PHOTO_MAX_PIXELS:
        raise too_many_pixels
    return data
