"""Fixtures for the social tests: people, listings and friendships made straight with the ORM."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from marketplace.listings.models import Category, Listing
from marketplace.social import services
from marketplace.social.models import Friendship


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, **extra):
        return django_user_model.objects.create_user(
            username=username, email=f"{username}@example.com", password="pw-Sh0plens!", **extra
        )

    return make


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


@pytest.fixture
def carol(make_user):
    return make_user("carol")


@pytest.fixture
def category(db):
    return Category.objects.create(name="Shoes", slug="social-shoes")


@pytest.fixture
def make_listing(category, make_user):
    seller = make_user("seller")

    def make(title: str, price: str = "50.00", **extra):
        return Listing.objects.create(
            seller=seller, title=title, price=Decimal(price), category=category, **extra
        )

    return make


@pytest.fixture
def befriend():
    def make(user_a, user_b):
        return Friendship.objects.create(
            from_user=user_a, to_user=user_b, status=Friendship.Status.ACCEPTED
        )

    return make


@pytest.fixture
def poll(alice, bob, befriend, make_listing):
    """Alice asks her friend Bob about two sneakers; Carol (not invited) exists too."""
    befriend(alice, bob)
    listings = [make_listing("Red sneakers", "80.00"), make_listing("Blue sneakers", "95.00")]
    return services.create_poll(alice, "Which for the wedding?", listings, [bob])


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_for():
    def login(user=None):
        api = APIClient()
        if user is not None:
            api.force_authenticate(user)
        return api

    return login
