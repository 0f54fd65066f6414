"""Photo processing.

Minimal stand-in written for `load_demo` on the foundation branch: the photos app's own
`process_photo` (validation, limits, worker pipeline) replaces this module when merged. Only the
interface is relied on: `process_photo(photo)` makes the display and thumbnail renditions, fills
width/height/sha256 and sets the status; running it again changes nothing.
"""
import hashlib
from io import BytesIO

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageOps

from .models import Photo

RENDITIONS = {"display": 1280, "thumbnail": 400}


def process_photo(photo: Photo) -> None:
    if photo.status == Photo.Status.DONE:
        return
    with photo.original.open("rb") as original:
        data = original.read()
    image = ImageOps.exif_transpose(Image.open(BytesIO(data))).convert("RGB")
    photo.width, photo.height = image.size
    photo.sha256 = hashlib.sha256(data).hexdigest()
    folder = photo.original.name.rsplit("/", 1)[0]
    for field, long_side in RENDITIONS.items():
        rendition = image.copy()
        rendition.thumbnail((long_side, long_side), Image.LANCZOS)
        buffer = BytesIO()
        rendition.save(buffer, "JPEG", quality=85, optimize=True)
        file = getattr(photo, field)
        file.save(f"{folder}/{field}.jpg", ContentFile(buffer.getvalue()), save=False)
    photo.status = Photo.Status.DONE
    photo.processed_at = timezone.now()
    photo.save()
