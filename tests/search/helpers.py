"""Helpers of the search tests: test images, vectors, tag dictionaries and draft forms."""
import contextlib
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

import numpy as np
from PIL import Image

from marketplace.photos.models import Photo
from tests.conftest import ROOT, worker_environment

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


def at_distance(seed: int, near: np.ndarray, distance: float) -> np.ndarray:
    """A unit vector at exactly this cosine distance from the unit vector `near`."""
    other = unit_vector(seed)
    other = other - (other @ near) * near
    other /= np.linalg.norm(other)
    cosine = 1.0 - distance
    return (cosine * near + np.sqrt(1.0 - cosine ** 2) * other).astype(np.float32)


def prediction(label, score=0.9, suggested=True):
    return {"label": label, "score": score, "top": [[label, score]], "suggested": suggested}


def tags(category="outerwear", colour="blue", **attributes):
    return {"category": prediction(category), "colour": prediction(colour),
            "attributes": {name: prediction(value) for name, value in attributes.items()}}


def bare_photo(listing) -> Photo:
    """A photo row without a file, for tests that only need its vectors."""
    return Photo.objects.create(listing=listing, original=f"photos/{listing.pk}/test/original")


def publish_data(**overrides) -> dict:
    """A draft's form as sent for the `suggested_draft` fixture, its suggestions kept."""
    data = {"title": "Blue denim jacket", "category": "outerwear", "price": "35",
            "currency": "EUR", "condition": "good", "description": "", "location": "",
            "tag_colour": "blue", "tag_materials": "denim"}
    return {**data, **overrides}


@contextlib.contextmanager
def running_worker(log_path: Path, pool: str = "solo", app: str = "worker",
                   **env_overrides: str):
    """A `celery worker` on the vision queue with extra environment (e.g. another broker).

    Unlike the shared `celery_worker_process` fixture it can be started several times in one
    test, which the crash and restart tests need, with one prefork process (`pool`), whose
    main process outlives the task's (time limits, a crash), and with a test's own module
    around the project's Celery app (`app`). Yields the process.
    """
    env = worker_environment(**env_overrides)
    with open(log_path, "a") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", app, "worker", "--pool", pool,
             "--concurrency", "1", "--queues", "vision", "--loglevel", "INFO",
             "--without-heartbeat", "--without-mingle", "--without-gossip"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: "ready." in log_path.read_text() or process.poll() is not None, 60)
        assert process.poll() is None, log_path.read_text()
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def wait_for(condition, timeout: float, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {condition}")
        time.sleep(interval)
