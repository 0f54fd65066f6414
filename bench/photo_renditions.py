"""How much the scaled JPEG decode saves on a phone-sized photo (24 MP), for the upload check
and for making renditions, against a full-size decode measured in the same run.

    .venv/bin/python bench/photo_renditions.py [--megapixels 24] [--repeat 3]
"""
import argparse
import io
import sys
import time
from pathlib import Path

import django
from django.conf import settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
settings.configure(PHOTO_MAX_BYTES=50 * 1024 * 1024, PHOTO_MAX_PIXELS=100_000_000,
                   PHOTOS_PER_LISTING=12)
django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from PIL import Image  # noqa: E402

from marketplace.photos.renditions import RenditionConfig, make_renditions  # noqa: E402
from marketplace.photos.validation import validate_photo_file  # noqa: E402


def phone_like_jpeg(megapixels: float) -> bytes:
    """A 3:2 JPEG with fine grain, so it compresses like a real photo (a few MB)."""
    width = int((megapixels * 1_000_000 * 1.5) ** 0.5)
    height = int(width / 1.5)
    grain = Image.effect_noise((width // 4, height // 4), 40).resize((width, height))
    image = Image.merge("RGB", [grain, grain.transpose(Image.FLIP_LEFT_RIGHT),
                                grain.transpose(Image.FLIP_TOP_BOTTOM)])
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def best_of(repeat: int, work) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


def full_decode(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        image.load()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megapixels", type=float, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = phone_like_jpeg(args.megapixels)
    with Image.open(io.BytesIO(data)) as image:
        print(f"photo: {image.width}×{image.height} JPEG, {len(data) / 1e6:.1f} MB; "
              f"best of {args.repeat}")

    baseline = best_of(args.repeat, lambda: full_decode(data))
    check = best_of(args.repeat, lambda: validate_photo_file(SimpleUploadedFile("p.jpg", data)))
    print(f"upload check: full decode {baseline * 1000:.0f} ms, validate_photo_file "
          f"{check * 1000:.0f} ms  ({baseline / check:.1f}× faster)")

    full = RenditionConfig(scaled_jpeg_decode=False)
    slow = best_of(args.repeat, lambda: make_renditions(data, 10**9, full))
    fast = best_of(args.repeat, lambda: make_renditions(data, 10**9))
    print(f"renditions: full-size decode {slow * 1000:.0f} ms, scaled decode "
          f"{fast * 1000:.0f} ms  ({slow / fast:.1f}× faster)")


if __name__ == "__main__":
    main()
