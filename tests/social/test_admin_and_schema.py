import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from marketplace.social.models import (
    Block,
    Comment,
    Friendship,
    Notification,
    Poll,
    SavedListing,
    Vote,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_of_each(poll, alice, bob, carol):
    """The poll fixture made a friendship, notifications and a poll; add the other kinds."""
    Block.objects.create(blocker=carol, blocked=bob)
    SavedListing.objects.create(user=alice, listing=poll.options.first().listing)
    Vote.objects.create(poll=poll, voter=bob, option=poll.options.first())
    Comment.objects.create(poll=poll, author=bob, body="<b>x</b>")


@pytest.mark.parametrize(
    "model", [Friendship, Block, SavedListing, Poll, Vote, Comment, Notification]
)
def test_admin_lists_and_opens_social_rows(model, one_of_each, make_user, client):
    client.force_login(make_user("admin", is_staff=True, is_superuser=True))
    admin_url = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    assert client.get(reverse(f"{admin_url}_changelist")).status_code == 200
    row = model.objects.first()
    assert client.get(reverse(f"{admin_url}_change", args=[row.pk])).status_code == 200


def test_openapi_schema_documents_the_social_api():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path in (
        "/api/v1/social/polls/{id}/vote/",
        "/api/v1/social/shared-polls/{token}/",
        "/api/v1/social/friendships/{id}/accept/",
        "/api/v1/social/notifications/unread-count/",
    ):
        assert path in paths
    assert (
        paths["/api/v1/social/polls/{id}/"]["get"]["parameters"][0]["schema"]["type"] == "integer"
    )
