"""Listings fixtures: sellers, a buyer, listings in the seeded taxonomy, API clients."""
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from marketplace.accounts.models import User
from marketplace.listings import services
from marketplace.listings.models import Category, Listing
from marketplace.photos.models import Photo


@pytest.fixture
def seller(db) -> User:
    return User.objects.create_user("sam", "sam@example.com", "seller-pass-123")


@pytest.fixture
def buyer(db) -> User:
    return User.objects.create_user("bea", "bea@example.com", "buyer-pass-123")


@pytest.fixture
def make_listing(seller, categories):
    def make(title="Blue jeans", price="20.00", category="pants", owner=None, **fields) -> Listing:
        return services.create_listing(
            owner or seller, title=title, price=Decimal(price),
            category=Category.objects.get(slug=category), **fields)
    return make


@pytest.fixture
def listing(make_listing) -> Listing:
    return make_listing()


@pytest.fixture
def add_photo(media_root):
    """A photo row with stand-in files; processed ones (the default) get both renditions."""
    def add(listing: Listing, position: int = 0, status: str = Photo.Status.DONE) -> Photo:
        renditions = {} if status != Photo.Status.DONE else {
            name: ContentFile(b"jpeg", name=f"{name}-{position}.jpg") for name in ("display", "thumbnail")}
        return Photo.objects.create(listing=listing, position=position, status=status,
                                    original=ContentFile(b"jpeg", name="original"), **renditions)
    return add


@pytest.fixture
def seller_client(client, seller):
    client.force_login(seller)
    return client


@pytest.fixture
def buyer_client(client, buyer):
    client.force_login(buyer)
    return client


@pytest.fixture
def api():
    return APIClient()


def token_client(user: User) -> APIClient:
    """An API client authenticated by token only (no session)."""
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client
