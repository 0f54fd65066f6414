"""Pure image work: decode an upload and make the clean renditions that the site serves.

No Django models here; `services.process_photo` stores what this returns. Every rendition is a
new image built from pixels only, so no EXIF, GPS, XMP, ICC or comment block can survive.
"""
import io
import warnings
import zlib
from dataclasses import dataclass

import pillow_heif
from PIL import ExifTags, Image, ImageCms, ImageOps, UnidentifiedImageError

# What Pillow raises for a file it cannot decode: truncated data, bad markers, bad chunks...
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, zlib.error,
                 UnidentifiedImageError, Image.DecompressionBombError)
# Let Pillow open iPhone HEIC/HEIF photos wherever this module is imported (web and worker).
pillow_heif.register_heif_opener()
# EXIF orientations that turn the picture by 90° (transpose, 90° CW, transverse, 90° CCW).
QUARTER_TURNS = {5, 6, 7, 8}


@dataclass(frozen=True)
class RenditionConfig:
    display_long_side: int = 1600
    thumbnail_side: int = 400  # thumbnails are square, centre-cropped
    jpeg_quality: int = 85
    background: tuple[int, int, int] = (255, 255, 255)  # transparent pixels are laid on this
    # Let libjpeg decode a large JPEG at 1/2, 1/4 or 1/8 scale (still ≥ the display size): every
    # byte is still decoded, at a fraction of the memory and time (see bench/photo_renditions.py).
    scaled_jpeg_decode: bool = True


@dataclass(frozen=True)
class Renditions:
    display: bytes  # JPEG
    thumbnail: bytes  # JPEG
    width: int  # of the upright original
    height: int


class UndecodableImage(Exception):
    """The file is not an image Pillow can decode; `str()` is a sentence for the seller."""


def make_renditions(data: bytes, max_pixels: int, config: RenditionConfig = RenditionConfig()
                    ) -> Renditions:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as source:
                if source.width * source.height > max_pixels:
                    raise UndecodableImage("The image has too many pixels to process.")
                width, height = upright_size(source)
                if config.scaled_jpeg_decode:
                    source.draft(None, (config.display_long_side, config.display_long_side))
                upright = to_srgb(ImageOps.exif_transpose(source))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UndecodableImage("The image has too many pixels to process.") from None
    except DECODE_ERRORS:
        raise UndecodableImage("The image file is damaged and could not be decoded.") from None
    clean = pixels_only(upright, config.background)
    display = clean.copy()
    display.thumbnail((config.display_long_side, config.display_long_side), Image.LANCZOS)
    side = min(config.thumbnail_side, clean.width, clean.height)  # crop, never upscale
    thumbnail = ImageOps.fit(clean, (side, side), Image.LANCZOS)
    return Renditions(display=encode_jpeg(display, config), thumbnail=encode_jpeg(thumbnail, config),
                      width=width, height=height)


def upright_size(image: Image.Image) -> tuple[int, int]:
    """Full-resolution size once the EXIF orientation is applied (read before any decoding)."""
    turned = image.getexif().get(ExifTags.Base.Orientation) in QUARTER_TURNS
    return (image.height, image.width) if turned else image.size


def to_srgb(image: Image.Image) -> Image.Image:
    """Convert from an embedded colour profile (e.g. an iPhone's Display P3) to sRGB."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        return ImageCms.profileToProfile(
            image, ImageCms.ImageCmsProfile(io.BytesIO(icc)), ImageCms.createProfile("sRGB"),
            outputMode=image.mode)
    except ImageCms.PyCMSError:
        return image  # a broken profile is not worth refusing the photo for


def pixels_only(image: Image.Image, background: tuple[int, int, int]) -> Image.Image:
    """An RGB copy that carries nothing but pixels (no info, EXIF, XMP or profile)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, background)
        flat.paste(rgba, mask=rgba.getchannel("A"))
    else:
        flat = image.convert("RGB")
    return Image.frombytes("RGB", flat.size, flat.tobytes())


def encode_jpeg(image: Image.Image, config: RenditionConfig) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=config.jpeg_quality, optimize=True, progressive=True)
    return buffer.getvalue()
