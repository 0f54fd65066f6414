"""Reading a buyer's query photo safely: size, pixel and format checks with clear messages."""
from __future__ import annotations

from io import BytesIO

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()  # phone cameras upload HEIC


class InvalidImage(ValueError):
    """The upload cannot be searched with; the message is shown to the buyer as is."""


def read_query_image(upload) -> Image.Image:
    """Decode an uploaded file into an upright RGB image, or raise InvalidImage."""
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise InvalidImage(f"The photo is too large (at most {settings.PHOTO_MAX_BYTES // 2**20} MB).")
    data = upload.read()
    if not data:
        raise InvalidImage("The uploaded file is empty.")
    try:
        with Image.open(BytesIO(data)) as probe:
            if probe.width * probe.height > settings.PHOTO_MAX_PIXELS:
                raise InvalidImage("The photo has too many pixels "
                                   f"(at most {settings.PHOTO_MAX_PIXELS // 1_000_000} megapixels).")
            probe.verify()
        image = Image.open(BytesIO(data))
        image = ImageOps.exif_transpose(image)
        return image.convert("RGB")
    except InvalidImage:
        raise
    except Image.DecompressionBombError:
        raise InvalidImage("The photo has too many pixels.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidImage("This file is not a readable image "
                           "(upload a JPEG, PNG, WebP or HEIC photo).") from None
