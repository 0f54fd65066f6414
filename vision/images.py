"""Decode any user image into a clean RGB picture, or fail with a readable reason.

Handles paths, bytes and PIL images; palette, alpha, CMYK, 16-bit and greyscale modes; EXIF
rotation; HEIC (via pillow-heif). Refuses corrupt, tiny and decompression-bomb inputs with
`ImageError` so one bad photo never takes down a batch.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MIN_SIDE = 8  # a product photo smaller than this carries no usable signal
MAX_PIXELS = 64_000_000  # refuse decompression bombs before decoding the pixels

try:  # HEIC/HEIF phone photos; optional at import so the module never fails to load
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
    pass


class ImageError(ValueError):
    """The input is not an image we can use; the message says why."""


class ImageTooLarge(ImageError):
    """The image has more pixels than allowed (refused before its pixels are decoded)."""


def open_image(source, max_pixels: int = MAX_PIXELS, draft: int | None = None) -> Image.Image:
    """Return an RGB `PIL.Image` for a path, raw bytes or a PIL image, or raise `ImageError`.

    `draft` lets the JPEG decoder skip detail beyond about that many pixels a side (much faster
    for big phone photos that are resized anyway).
    """
    if isinstance(source, Image.Image):
        image = source
    elif isinstance(source, (bytes, bytearray, memoryview)):
        image = _decode(io.BytesIO(bytes(source)), max_pixels, draft)
    elif isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise ImageError(f"no such file: {path}")
        image = _decode(path, max_pixels, draft)
    else:
        raise ImageError(f"unsupported input type {type(source).__name__}")
    width, height = image.size
    if width * height > max_pixels:
        raise ImageTooLarge(f"image too large: {width}x{height} exceeds {max_pixels} pixels")
    if min(width, height) < MIN_SIDE:
        raise ImageError(f"image too small: {width}x{height} (need at least {MIN_SIDE}px a side)")
    return to_rgb(image)


def _decode(fp, max_pixels: int, draft: int | None) -> Image.Image:
    try:
        with Image.open(fp) as image:
            if image.width * image.height > max_pixels:
                raise ImageTooLarge(
                    f"image too large: {image.width}x{image.height} exceeds {max_pixels} pixels")
            if draft:
                image.draft("RGB", (draft, draft))
            image.load()
            return ImageOps.exif_transpose(image) or image
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge(f"image too large: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise ImageError("not a readable image: unknown or corrupt image format") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"not a readable image: {exc}") from exc


def to_rgb(image: Image.Image) -> Image.Image:
    """Convert any PIL mode to 8-bit RGB; transparency is composited onto white."""
    if image.mode == "RGB":
        return image
    if image.mode.startswith("I;16") or image.mode == "I":
        array = np.asarray(image, dtype=np.float64)
        # I;16* is 16-bit by definition: a dark photo stays dark. Mode I does not say its depth
        # (8-bit data converted, or a 16-bit PGM): its brightest pixel decides.
        sixteen_bit = image.mode != "I" or (array.size and array.max() > 255)
        scale = 255.0 / (65535.0 if sixteen_bit else 255.0)
        return Image.fromarray(np.clip(array * scale, 0, 255).astype(np.uint8)).convert("RGB")
    if image.mode == "F":
        array = np.asarray(image, dtype=np.float64)
        lo, hi = float(array.min()), float(array.max())
        array = (array - lo) / (hi - lo) * 255 if hi > lo else np.zeros_like(array)
        return Image.fromarray(array.astype(np.uint8)).convert("RGB")
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")
