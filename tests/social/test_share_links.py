"""Private share links: unguessable, hashed at rest, expiring, revocable; bad links are 404."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace.social import services
from marketplace.social.models import Poll, Vote, hash_share_token

pytestmark = pytest.mark.django_db


def shared_api(token):
    return f"/api/v1/social/shared-polls/{token}/"


@pytest.fixture
def token(poll, alice):
    return services.create_share_link(poll, alice)


def test_only_a_hash_of_the_token_is_stored(poll, token):
    poll.refresh_from_db()
    assert len(token) >= 43
    assert poll.share_token_hash == hash_share_token(token) and token not in poll.share_token_hash


def test_owner_gets_the_link_once_from_the_web(poll, alice, client_for):
    client = client_for(alice)
    page = client.post(
        reverse("social:poll_share", args=[poll.pk]), {"action": "create"}, follow=True
    )
    html = page.content.decode()
    assert "shown only once" in html and "/social/shared/" in html
    again = client.get(reverse("social:poll", args=[poll.pk])).content.decode()
    assert "/social/shared/" not in again and "Revoke link" in again


def test_anyone_with_a_valid_link_can_view(poll, token, client, api_for):
    page = client.get(reverse("social:shared_poll", args=[token]))
    assert page.status_code == 200 and "Red sneakers" in page.content.decode()
    assert "Log in to vote" in page.content.decode()
    data = api_for().get(shared_api(token)).json()
    assert data["question"] == "Which for the wedding?"


def test_link_holders_must_log_in_to_vote(poll, token, client, api_for):
    option = poll.options.first()
    response = client.post(reverse("social:shared_poll_vote", args=[token]), {"option": option.pk})
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert api_for().post(shared_api(token) + "vote/", {"option": option.pk}).status_code in (
        401,
        403,
    )
    assert not Vote.objects.exists()


def test_logged_in_link_holder_votes_once(poll, token, carol, client_for, api_for):
    red, blue = poll.options.all()
    client_for(carol).post(reverse("social:shared_poll_vote", args=[token]), {"option": red.pk})
    response = api_for(carol).post(shared_api(token) + "vote/", {"option": blue.pk}, format="json")
    assert response.status_code == 200
    assert list(Vote.objects.values_list("voter__username", "option__listing__title")) == [
        ("carol", "Blue sneakers")
    ]
    comment = api_for(carol).post(shared_api(token) + "comments/", {"body": "Blue"}, format="json")
    assert comment.status_code == 201 and poll.comments.get().author == carol
    # The link does not make carol an invitee: by id the poll is still hidden from her.
    assert client_for(carol).get(reverse("social:poll", args=[poll.pk])).status_code == 404


@pytest.mark.parametrize("spoil", ["forged", "expired", "revoked", "truncated"])
def test_bad_links_are_404(poll, alice, token, client, api_for, spoil):
    if spoil == "expired":
        Poll.objects.filter(pk=poll.pk).update(
            share_expires_at=timezone.now() - timedelta(seconds=1)
        )
    elif spoil == "revoked":
        services.revoke_share_link(poll, alice)
    link = {"forged": "A" * 43, "truncated": token[:-1]}.get(spoil, token)
    assert client.get(reverse("social:shared_poll", args=[link])).status_code == 404
    assert api_for().get(shared_api(link)).status_code == 404
    assert (
        api_for(alice)
        .post(shared_api(link) + "vote/", {"option": poll.options.first().pk})
        .status_code
        == 404
    )


def test_new_link_replaces_the_old_one(poll, alice, token, api_for):
    response = api_for(alice).post(f"/api/v1/social/polls/{poll.pk}/share-link/")
    assert response.status_code == 201
    new = response.json()
    assert new["url"].endswith(f"/social/shared/{new['token']}/")
    assert api_for().get(shared_api(token)).status_code == 404
    assert api_for().get(shared_api(new["token"])).status_code == 200
    assert api_for(alice).delete(f"/api/v1/social/polls/{poll.pk}/share-link/").status_code == 204
    assert api_for().get(shared_api(new["token"])).status_code == 404


def test_only_the_owner_makes_links(poll, bob, api_for):
    assert api_for(bob).post(f"/api/v1/social/polls/{poll.pk}/share-link/").status_code == 400
    poll.refresh_from_db()
    assert poll.share_token_hash == ""
