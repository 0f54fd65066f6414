"""Unfriending withdraws poll invitations between the two; votes already cast keep counting."""
import pytest
from django.urls import reverse

from marketplace.social import services
from marketplace.social.models import Friendship, PollInvite, Vote

pytestmark = pytest.mark.django_db


def api_poll(poll) -> str:
    return f"/api/v1/social/polls/{poll.pk}/"


@pytest.fixture
def bob_voted_red(poll, bob):
    red = poll.options.first()
    services.cast_vote(poll, bob, red)
    return red


def test_ex_friend_loses_the_poll_on_the_web(poll, alice, bob, bob_voted_red, client_for):
    client = client_for(bob)
    assert client.get(reverse("social:poll", args=[poll.pk])).status_code == 200
    client.post(reverse("social:remove_friend", args=[alice.pk]))
    assert not Friendship.objects.exists() and not PollInvite.objects.exists()
    assert client.get(reverse("social:poll", args=[poll.pk])).status_code == 404
    blue = poll.options.last()
    vote = client.post(reverse("social:poll_vote", args=[poll.pk]), {"option": blue.pk})
    assert vote.status_code == 404
    assert reverse("social:poll", args=[poll.pk]) not in client.get(
        reverse("social:polls")).content.decode()
    # The vote Bob cast while invited still counts for Alice.
    assert Vote.objects.get().option == bob_voted_red
    owner_page = client_for(alice).get(reverse("social:poll", args=[poll.pk]))
    assert owner_page.status_code == 200


def test_ex_friend_loses_the_poll_in_the_api(poll, alice, bob, bob_voted_red, api_for):
    friendship = Friendship.objects.get()
    assert api_for(alice).delete(
        f"/api/v1/social/friendships/{friendship.pk}/").status_code == 204
    bob_api = api_for(bob)
    assert bob_api.get(api_poll(poll)).status_code == 404
    blue = poll.options.last()
    assert bob_api.post(api_poll(poll) + "vote/", {"option": blue.pk},
                        format="json").status_code == 404
    assert poll.pk not in [item["id"] for item in bob_api.get("/api/v1/social/polls/").json()[
        "results"]]
    tally = api_for(alice).get(api_poll(poll)).json()
    assert [option["votes"] for option in tally["options"]] == [1, 0]
    # Alice can no longer invite him either: he is not her friend.
    assert api_for(alice).post(api_poll(poll) + "invite/", {"invitees": ["bob"]},
                               format="json").status_code == 400


def test_unfriending_withdraws_invitations_both_ways_and_no_others(
        poll, alice, bob, carol, befriend, make_listing):
    befriend(alice, carol)
    services.invite_to_poll(poll, alice, [carol])
    bobs_poll = services.create_poll(bob, "Which lamp?", [make_listing("Lamp")], [alice])
    assert bobs_poll.invites.count() == 1
    services.remove_friend(bob, alice)
    assert list(PollInvite.objects.values_list("poll", "user")) == [(poll.pk, carol.pk)]


def test_ex_friend_with_a_valid_link_may_still_look(poll, alice, bob, api_for):
    token = services.create_share_link(poll, alice)
    services.remove_friend(alice, bob)
    assert api_for(bob).get(api_poll(poll)).status_code == 404
    shared = api_for(bob).get(f"/api/v1/social/shared-polls/{token}/")
    assert shared.status_code == 200 and shared.json()["question"] == poll.question
