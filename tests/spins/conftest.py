import io
from pathlib import Path
from decimal import Decimal

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from marketplace.listings.models import Category, Listing
from tests.spins.captures import label, uneven_angles
from vision.spin.turntable import render_view


@pytest.fixture
def media_root(media_root, monkeypatch):
    """The project's per-test storages, with capture originals in this test's private one."""
    from marketplace.photos.models import private_storage
    from marketplace.spins.models import SpinSource

    monkeypatch.setattr(SpinSource._meta.get_field("file"), "storage", private_storage())
    return media_root


@pytest.fixture
def queued(monkeypatch):
    """Spin ids handed to the worker (the real worker runs in test_spin_worker.py)."""
    from worker.tasks.spins import process_spin

    ids = []
    monkeypatch.setattr(process_spin, "delay", ids.append)
    return ids


@pytest.fixture
def seller(django_user_model):
    return django_user_model.objects.create_user("seller", password="pw-seller-123")


@pytest.fixture
def buyer(django_user_model):
    return django_user_model.objects.create_user("buyer", password="pw-buyer-123")


@pytest.fixture
def listing(seller):
    category, _ = Category.objects.get_or_create(slug="spin-test-clothing",
                                                 defaults={"name": "Clothing"})
    return Listing.objects.create(seller=seller, title="Navy dress", price=Decimal("25"),
                                  category=category)


def png_bytes(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="session")
def burst_pngs():
    """Twelve turntable photos (PNG bytes) of the real-photo cylinder, in shuffled order."""
    texture = label()
    angles = uneven_angles(12, seed=4)
    order = np.random.default_rng(4).permutation(12)
    return [png_bytes(render_view(texture, angles[i], seed=int(i))) for i in order]


@pytest.fixture
def burst_uploads(burst_pngs):
    def make(count=12):
        return [SimpleUploadedFile(f"IMG_{i:04d}.png", burst_pngs[i % len(burst_pngs)],
                                   "image/png") for i in range(count)]
    return make


@pytest.fixture
def finished_spin(listing, seller, media_root, burst_pngs, tmp_path):
    """A spin stitched for real from the burst and stored, ready to publish (not live yet)."""
    from marketplace.spins import services
    from marketplace.spins.models import Spin
    from vision.spin.pipeline import build_spin

    def make():
        folder = Path(tmp_path) / f"burst-{Spin.objects.count()}"
        folder.mkdir()
        for index, data in enumerate(burst_pngs):  # named as `download_sources` names them
            (folder / f"{index:03d}-IMG_20240501_14{index:02d}.png").write_bytes(data)
        spin = Spin.objects.create(listing=listing, created_by=seller,
                                   source_kind=Spin.SourceKind.PHOTOS)
        manifest = build_spin(folder, folder / "out")
        services.finish_spin(spin, folder / "out", manifest)
        spin.refresh_from_db()
        return spin
    return make
