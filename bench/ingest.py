"""Ingestion throughput: photos/s from upload to tagged-and-searchable vs the engine alone.

    make services && source .local/services.env
    .venv/bin/python bench/ingest.py --photos 96

The pipeline run is what a site does: listings' photos committed (one transaction per listing,
like an upload), the post-save signal enqueues one vision task per listing into Redis, a real
`celery worker` (solo pool, warmed up first) reads the originals, runs the engine in batches and
upserts analyses and listing vectors into Postgres. The baseline, in the same run and on the
same photos, is `Engine.run` over the same batches in this process. Uses its own database
(`bench_ingest` on the embedded server, or BENCH_DATABASE_URL).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, bench_database_url  # noqa: E402


def phone_photos(count: int, size=(1024, 768)) -> list[bytes]:
    """Smooth random-colour JPEGs of a phone-photo size (a real decode/resize cost)."""
    rng = np.random.default_rng(0)
    photos = []
    for _ in range(count):
        buffer = BytesIO()
        small = rng.integers(0, 255, (6, 8, 3), dtype=np.uint8)
        Image.fromarray(small).resize(size, Image.BICUBIC).save(buffer, "JPEG", quality=88)
        photos.append(buffer.getvalue())
    return photos


def engine_alone(photos: list[bytes], batch_size: int) -> float:
    """Photos/s of `Engine.run` over the same batches, model already loaded."""
    from vision.engine import Engine

    engine = Engine()
    engine.run(photos[:2])
    started = time.perf_counter()
    for start in range(0, len(photos), batch_size):
        engine.run(photos[start:start + batch_size])
    return len(photos) / (time.perf_counter() - started)


def pipeline(photos: list[bytes], per_listing: int, env: dict[str, str]) -> float:
    """Photos/s from the first upload commit to the last photo analysed by a real worker."""
    from django.core.files.base import ContentFile
    from django.db import transaction

    from marketplace.accounts.models import User
    from marketplace.listings.models import Category, Listing
    from marketplace.photos.models import Photo
    from marketplace.search.models import PhotoAnalysis

    seller, _ = User.objects.get_or_create(username="bench-seller")
    category, _ = Category.objects.get_or_create(slug="bench", defaults={"name": "Bench"})

    def upload(images: list[bytes]) -> list[int]:
        listing = Listing.objects.create(seller=seller, title="Bench item", price=1,
                                         category=category)
        with transaction.atomic():
            photos_ = [Photo(listing=listing, position=i) for i in range(len(images))]
            for photo, data in zip(photos_, images):
                photo.original.save("upload", ContentFile(data), save=False)
                photo.save()
        return [photo.pk for photo in photos_]

    def wait(ids: list[int]) -> None:
        while PhotoAnalysis.objects.filter(photo_id__in=ids).count() < len(ids):
            time.sleep(0.05)

    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "worker", "worker", "--pool", "solo",
         "--queues", "vision", "--loglevel", "WARNING", "--without-heartbeat",
         "--without-mingle", "--without-gossip"], cwd=ROOT, env=env)
    try:
        wait(upload(photos[:2]))  # the worker loads the model on its first task
        started = time.perf_counter()
        ids = []
        for start in range(0, len(photos), per_listing):
            ids += upload(photos[start:start + per_listing])
        wait(ids)
        return len(photos) / (time.perf_counter() - started)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=96)
    parser.add_argument("--per-listing", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()

    media = tempfile.mkdtemp(prefix="bench-ingest-media-")
    os.environ.update(DATABASE_URL=bench_database_url("bench_ingest"), DJANGO_MEDIA_ROOT=media,
                      SEARCH_VISION_BATCH_SIZE=str(args.batch_size),
                      DJANGO_SETTINGS_MODULE="marketplace.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from marketplace.search.models import PhotoAnalysis

    PhotoAnalysis.objects.all().delete()
    photos = phone_photos(args.photos)
    alone = engine_alone(photos, args.batch_size)
    print(f"engine alone:  {alone:6.2f} photos/s", flush=True)
    through = pipeline(photos, args.per_listing, dict(os.environ))
    print(f"pipeline:      {through:6.2f} photos/s  (upload → tagged and searchable)")
    print(f"ratio:         {through / alone:6.2f} × the engine alone (goal ≥ 0.85)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
