"""Fixtures of the search tests: sellers, categories, listings and photos with real files."""
import pytest
from django.core.files.base import ContentFile

from marketplace.accounts.models import User
from marketplace.listings.models import Category, Listing
from marketplace.listings.services import create_draft
from marketplace.photos.models import Photo
from marketplace.search.models import ActiveModel, PhotoAnalysis
from marketplace.search.services import bit_string, refresh_listing_vectors, upsert_analyses
from tests.search.helpers import TEST_VERSION, bare_photo, jpeg_bytes, tags, unit_vector


@pytest.fixture
def categories(categories):
    """The seeded taxonomy (the shared fixture), by slug."""
    return {category.slug: category for category in Category.objects.all()}


@pytest.fixture
def seller(db):
    return User.objects.create_user(username="seller", password="a-long-test-password")


@pytest.fixture
def buyer(db):
    return User.objects.create_user(username="buyer", password="a-long-test-password")


@pytest.fixture
def make_listing(seller, categories):
    def make(title="Item", category="outerwear", **fields):
        fields.setdefault("price", 50)
        return Listing.objects.create(seller=fields.pop("seller", seller), title=title,
                                      category=categories[category], **fields)
    return make


@pytest.fixture
def make_photo(media_root):
    def make(listing, data: bytes | None = None, position=0):
        photo = Photo(listing=listing, position=position)
        photo.original.save("upload.jpg", ContentFile(data or jpeg_bytes()), save=False)
        photo.save()
        return photo
    return make


@pytest.fixture
def analysed(db):
    """Store an analysis as the worker would (for search tests that need known vectors)."""
    def analyse(photo, embedding, photo_tags=None, version=TEST_VERSION):
        ActiveModel.objects.get_or_create(pk=1, defaults={"model_version": version})
        analysis = PhotoAnalysis(
            photo=photo, listing=photo.listing, model_version=version,
            status=PhotoAnalysis.Status.DONE, embedding=embedding, code=bit_string(embedding > 0),
            tags=photo_tags or tags())
        upsert_analyses([analysis])
        refresh_listing_vectors([photo.listing_id], version)
        return analysis
    return analyse


@pytest.fixture
def draft(seller):
    return create_draft(seller)


@pytest.fixture
def suggested_draft(draft, analysed):
    """A draft whose one photo the model saw as a blue denim jacket."""
    analysed(bare_photo(draft), unit_vector(1), tags("outerwear", "blue", materials="denim"))
    return draft
