"""Checks on a buyer's query photo before the model sees it: size, format and pixel count.

Only the header is read here (cheap, and safe against decompression bombs), with the same
format and pixel rules as a listing photo (`photos.validation`); the engine decodes the pixels
itself and reports a corrupt body as a failed result.
"""
from __future__ import annotations

import warnings
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

from marketplace.photos.validation import (
    DAMAGED_IMAGE,
    SNIFF_BYTES,
    check_header,
    looks_like_markup,
)

NOT_AN_IMAGE = "This file is not a readable image (upload a JPEG, PNG, WebP or HEIC photo)."


def sentence(message: str) -> str:
    """A listing-photo check's message (`the file is ...`) as a sentence of its own."""
    return message[0].upper() + message[1:]


# What the model's failure to decode a query photo reads as: the upload check's own words.
DAMAGED = sentence(DAMAGED_IMAGE)


class InvalidImage(ValueError):
    """The upload cannot be searched with; the message is shown to the buyer as is."""


def read_query_image(upload) -> bytes:
    """The upload's bytes if they look like a photo we accept, else raise InvalidImage."""
    if upload.size > settings.PHOTO_MAX_BYTES:
        megabytes = settings.PHOTO_MAX_BYTES // 2**20
        raise InvalidImage(f"The photo is too large (at most {megabytes} MB).")
    data = upload.read()
    if not data:
        raise InvalidImage("The uploaded file is empty.")
    if looks_like_markup(data[:SNIFF_BYTES]):
        raise InvalidImage(NOT_AN_IMAGE)
    megapixels = settings.PHOTO_MAX_PIXELS // 1_000_000
    too_many_pixels = InvalidImage(
        f"The photo has too many pixels (at most {megapixels} megapixels).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as probe:
                check_header(probe)
    except ValidationError as error:
        if error.code == "too_many_pixels":
            raise too_many_pixels from None
        raise InvalidImage(sentence(error.messages[0])) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidImage(NOT_AN_IMAGE) from None
    return data
