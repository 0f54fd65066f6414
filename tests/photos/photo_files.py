"""Small image files, good and bad, made in memory for the photo tests."""
import io
import struct
import zlib
from functools import cache
from pathlib import Path

import pillow_heif
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms

pillow_heif.register_heif_opener()

GPS_LATITUDE = (52.0, 22.0, 30.0)
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
       b'22-rdf-syntax-ns#"><rdf:Description exif:GPSLatitude="52,22.5N"/></rdf:RDF></x:xmpmeta>')


def two_tone(width: int = 64, height: int = 48) -> Image.Image:
    """Left half red, right half blue: shows which way an image was turned."""
    image = Image.new("RGB", (width, height), (255, 0, 0))
    image.paste((0, 0, 255), (width // 2, 0, width, height))
    return image


def encode(image: Image.Image, format: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **params)
    return buffer.getvalue()


def jpeg(width: int = 64, height: int = 48) -> bytes:
    return encode(two_tone(width, height), "JPEG", quality=90)


def mpo() -> bytes:
    """A JPEG with a second picture appended (Multi-Picture Format), as many phones write."""
    return encode(two_tone(), "MPO", save_all=True, append_images=[Image.new("RGB", (64, 48))])


def png() -> bytes:
    return encode(Image.new("RGBA", (64, 48), (0, 128, 0, 128)), "PNG")


def webp() -> bytes:
    return encode(two_tone(), "WEBP")


def heic() -> bytes:
    return encode(two_tone(), "HEIF")


def gif() -> bytes:
    return encode(two_tone(), "GIF")


def jpeg_with_private_metadata(orientation: int = 6) -> bytes:
    """A phone-like JPEG: rotated by EXIF, with GPS position, XMP and an ICC profile."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: GPS_LATITUDE}
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encode(two_tone(), "JPEG", exif=exif, xmp=XMP, icc_profile=icc, quality=95)


def truncated_jpeg() -> bytes:
    """The first half of a noisy JPEG: the header is fine, the pixels stop midway."""
    noise = Image.effect_noise((64, 48), 80).convert("RGB")
    data = encode(noise, "JPEG", quality=95)
    return data[: len(data) // 2]


@cache
def png_bomb(side: int = 20_000) -> bytes:
    """A valid 1-bit PNG of side×side pixels (400 megapixels) that is only ~50 KB on disk."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))

    row = b"\x00" + bytes((side + 7) // 8)
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48">'
       b'<script>alert(1)</script><rect width="64" height="48"/></svg>')
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def files_under(root: Path) -> dict[str, bytes]:
    """Every file under `root`, by relative path (its storage name), with its bytes."""
    if not root.exists():
        return {}
    return {str(path.relative_to(root)): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


def media_files(media_root) -> dict[str, bytes]:
    """Every stored photo file by storage name: renditions under MEDIA_ROOT and originals in
    the private storage (their names never collide: `renditions/…` and `photos/…`)."""
    return {**files_under(media_root), **files_under(Path(settings.PRIVATE_MEDIA_ROOT))}
