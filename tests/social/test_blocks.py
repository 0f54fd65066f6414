"""Blocks cut both ways: no invitations, and no poll visibility, by id or by link."""

import pytest
from django.urls import reverse

from marketplace.social import services
from marketplace.social.models import PollInvite

pytestmark = pytest.mark.django_db


def test_blocked_user_cannot_be_invited(
    alice, bob, carol, befriend, make_listing, client_for, api_for
):
    befriend(alice, carol)
    poll = services.create_poll(alice, "Which?", [make_listing("Vase")])
    services.block_user(carol, alice)  # also ends the friendship
    with pytest.raises(services.SocialError):
        services.invite_to_poll(poll, alice, [carol])
    response = api_for(alice).post(
        f"/api/v1/social/polls/{poll.pk}/invite/", {"invitees": ["carol"]}, format="json"
    )
    assert response.status_code == 400
    page = client_for(alice).get(reverse("social:poll", args=[poll.pk])).content.decode()
    assert "carol" not in page  # not offered on the invite form
    client_for(alice).post(reverse("social:poll_invite", args=[poll.pk]), {"invitees": [carol.pk]})
    assert not PollInvite.objects.filter(user=carol).exists()


def test_befriended_but_blocked_is_not_offered_or_accepted(alice, carol, befriend, make_listing):
    befriend(alice, carol)
    services.block_user(alice, carol)
    befriend(alice, carol)  # a stale friendship row must not let the block be bypassed
    with pytest.raises(services.SocialError, match="not: carol"):
        services.create_poll(alice, "Which?", [make_listing("Vase")], [carol])


@pytest.mark.parametrize("blocker_is_owner", [True, False])
def test_block_hides_poll_from_invited_user(
    poll, alice, bob, client_for, api_for, blocker_is_owner
):
    token = services.create_share_link(poll, alice)
    if blocker_is_owner:
        services.block_user(alice, bob)
    else:
        services.block_user(bob, alice)
    assert client_for(bob).get(reverse("social:poll", args=[poll.pk])).status_code == 404
    assert client_for(bob).get(reverse("social:shared_poll", args=[token])).status_code == 404
    assert api_for(bob).get(f"/api/v1/social/polls/{poll.pk}/").status_code == 404
    assert api_for(bob).get(f"/api/v1/social/shared-polls/{token}/").status_code == 404
    vote = api_for(bob).post(
        f"/api/v1/social/polls/{poll.pk}/vote/", {"option": poll.options.first().pk}, format="json"
    )
    assert vote.status_code == 404
    assert (
        "Which for the wedding?"
        not in client_for(bob).get(reverse("social:polls")).content.decode()
    )
