"""Helpers of the search tests: test images, vectors and tag dictionaries."""
from io import BytesIO

import numpy as np
from PIL import Image

from marketplace.photos.models import Photo

TEST_VERSION = "test-version-1"


def jpeg_bytes(colour=(200, 30, 30), size=(64, 64), stripe=None) -> bytes:
    image = Image.new("RGB", size, colour)
    if stripe:
        for x in range(0, size[0], 8):
            for y in range(size[1]):
                image.putpixel((x, y), stripe)
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def unit_vector(seed: int, near: np.ndarray | None = None, spread: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    vector = rng.standard_normal(256).astype(np.float32)
    if near is not None:
        vector = near + spread * vector / np.linalg.norm(vector)
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def prediction(label, score=0.9, suggested=True):
    return {"label": label, "score": score, "top": [[label, score]], "suggested": suggested}


def tags(category="outerwear", colour="blue", **attributes):
    return {"category": prediction(category), "colour": prediction(colour),
            "attributes": {name: prediction(value) for name, value in attributes.items()}}


def bare_photo(listing) -> Photo:
    """A photo row without a file, for tests that only need its vectors."""
    return Photo.objects.create(listing=listing, original=f"photos/{listing.pk}/test/original")
