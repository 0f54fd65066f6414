"""`GET /api/v1/spins/`: live spins of public listings for everyone, a seller's own too."""
import pytest

from marketplace.listings.models import Listing
from marketplace.spins.models import Spin

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("listing_state, shown_to_buyer", [
    ({}, True),
    ({"status": Listing.Status.SOLD}, True),
    ({"is_hidden": True}, False),
    ({"status": Listing.Status.REMOVED}, False),
])
def test_a_live_spin_is_listed_while_its_listing_is_public(client, listing, seller, buyer,
                                                           listing_state, shown_to_buyer):
    manifest = {"frame_count": 0, "loop_closed": True, "frames": [], "sprite": {"file": "s.jpg"},
                "display_size": 512, "zoom_size": 1024}
    spin = Spin.objects.create(listing=listing, created_by=seller, is_live=True,
                               status=Spin.Status.DONE, manifest=manifest,
                               source_kind=Spin.SourceKind.PHOTOS)
    Spin.objects.create(listing=listing, created_by=seller, source_kind=Spin.SourceKind.PHOTOS)
    Listing.objects.filter(pk=listing.pk).update(**listing_state)

    def listed() -> list[int]:
        return [row["id"] for row in client.get("/api/v1/spins/").json()["results"]]

    assert listed() == ([spin.pk] if shown_to_buyer else [])
    client.force_login(buyer)
    assert listed() == ([spin.pk] if shown_to_buyer else [])
    client.force_login(seller)
    assert sorted(listed()) == sorted(Spin.objects.values_list("pk", flat=True))
