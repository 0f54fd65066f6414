"""Deletes that race the vision worker's batch (two real Postgres connections)."""
import pytest
from django.db import transaction

from marketplace.listings.models import Listing
from marketplace.photos.models import Photo
from marketplace.photos.services import delete_photo
from marketplace.search.models import PhotoAnalysis
from marketplace.search.services import bit_string, claim_batch, upsert_analyses
from tests.locks import race
from tests.search.helpers import TEST_VERSION, tags, unit_vector


DELETES = {
    "by its seller": lambda photo, seller: delete_photo(photo, user=seller),
    "in the admin": lambda photo, seller: photo.delete(),
    "with its listing": lambda photo, seller: Listing.objects.get(pk=photo.listing_id).delete(),
}


@pytest.mark.parametrize("deleted", DELETES)
@pytest.mark.django_db(transaction=True)
def test_a_photo_deleted_while_the_worker_analyses_it(make_listing, make_photo, seller, deleted):
    """The worker has claimed the photo (row locked) and is running the model when the photo is
    deleted: the delete waits for the worker's commit, then removes the photo and the analysis
    just stored, instead of failing on it."""
    photo = make_photo(make_listing())

    def worker(pause):
        with transaction.atomic():
            batch = claim_batch([photo.pk], TEST_VERSION, 16, fill_from_pending=False)
            pause()  # the model runs
            embedding = unit_vector(1)
            upsert_analyses([PhotoAnalysis(
                photo=batch[0], listing_id=batch[0].listing_id, model_version=TEST_VERSION,
                status=PhotoAnalysis.Status.DONE, embedding=embedding,
                code=bit_string(embedding > 0), tags=tags())])

    assert race(worker, lambda: DELETES[deleted](Photo.objects.get(pk=photo.pk), seller)) == []
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert not PhotoAnalysis.objects.filter(photo_id=photo.pk).exists()
