"""Fixtures for the photo tests: users, listings, uploads and a worker sharing our media."""
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from rest_framework.test import APIClient

from marketplace.accounts.models import User
from marketplace.listings.models import Category, Listing
from marketplace.photos.models import Photo


@pytest.fixture
def seller(db):
    return User.objects.create_user("seller", "seller@example.com")


@pytest.fixture
def stranger(db):
    return User.objects.create_user("stranger", "stranger@example.com")


@pytest.fixture
def listing(seller):
    category = Category.objects.create(name="Chairs", slug="chairs")
    return Listing.objects.create(seller=seller, title="Oak chair", price=Decimal("40"),
                                  category=category)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def seller_client(seller):
    return logged_in(seller)


@pytest.fixture
def stranger_client(stranger):
    return logged_in(stranger)


@pytest.fixture
def seller_api(seller):
    return api_as(seller)


@pytest.fixture
def stranger_api(stranger):
    return api_as(stranger)


@pytest.fixture
def stored_photo(media_root):
    """make(listing, data) -> a pending Photo whose original is `data`, with no task queued."""
    def make(listing: Listing, data: bytes, position: int = 1) -> Photo:
        photo = Photo(listing=listing, position=position)
        photo.original.save("original", ContentFile(data), save=False)
        photo.save()
        return photo
    return make


@pytest.fixture
def photo_worker(transactional_db, media_root, monkeypatch, request):
    """start() -> a real Celery worker that reads and writes this test's MEDIA_ROOT.

    Started on demand so a test can prepare work (queued or not) before any worker runs."""
    def start():
        monkeypatch.setenv("DJANGO_MEDIA_ROOT", str(media_root))
        return request.getfixturevalue("celery_worker_process")
    return start
