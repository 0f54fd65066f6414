"""Rate limits (counted in the database, same for web and API) and stored-XSS safety."""

import pytest
from django.urls import reverse

from marketplace.social import services
from marketplace.social.models import Comment, Friendship, PollInvite

pytestmark = pytest.mark.django_db
SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def strangers(make_user):
    return [make_user(f"person{number}") for number in range(4)]


def test_friend_request_limit_on_the_web(settings, alice, strangers, client_for):
    settings.SOCIAL_INVITES_PER_HOUR = 3
    client = client_for(alice)
    for person in strangers[:3]:
        client.post(reverse("social:send_request", args=[person.pk]))
    page = client.post(reverse("social:send_request", args=[strangers[3].pk]), follow=True)
    assert "at most 3 friend requests and invitations per hour" in page.content.decode()
    assert Friendship.objects.filter(from_user=alice).count() == 3


def test_cancel_and_resend_does_not_reset_the_limit(settings, alice, bob):
    settings.SOCIAL_INVITES_PER_HOUR = 2
    for _ in range(2):
        services.send_friend_request(alice, bob)
        services.remove_friend(alice, bob)
    with pytest.raises(services.RateLimited):
        services.send_friend_request(alice, bob)


def test_invites_and_requests_share_the_limit_in_the_api(
    settings, alice, strangers, befriend, make_listing, api_for
):
    settings.SOCIAL_INVITES_PER_HOUR = 3
    for person in strangers[:3]:
        befriend(alice, person)
    listing = make_listing("Chair")
    api = api_for(alice)
    created = api.post(
        "/api/v1/social/polls/",
        {"question": "This chair?", "listings": [listing.pk], "invitees": ["person0", "person1"]},
        format="json",
    )
    assert created.status_code == 201
    poll_id = created.json()["id"]
    third = api.post(
        f"/api/v1/social/polls/{poll_id}/invite/", {"invitees": ["person2"]}, format="json"
    )
    assert third.status_code == 200 and [user["username"] for user in third.json()] == ["person2"]
    over = api.post("/api/v1/social/friendships/", {"username": "person3"}, format="json")
    assert over.status_code == 429 and "per hour" in over.json()["detail"]
    assert (
        PollInvite.objects.count() == 3
        and not Friendship.objects.filter(to_user=strangers[3]).exists()
    )


def test_comment_limit_web_and_api(settings, poll, bob, client_for, api_for):
    settings.SOCIAL_COMMENTS_PER_MINUTE = 2
    url = reverse("social:poll_comment", args=[poll.pk])
    client_for(bob).post(url, {"body": "one"})
    client_for(bob).post(url, {"body": "two"})
    page = client_for(bob).post(url, {"body": "three"}, follow=True).content.decode()
    assert "at most 2 comments per minute" in page
    response = api_for(bob).post(
        f"/api/v1/social/polls/{poll.pk}/comments/", {"body": "four"}, format="json"
    )
    assert response.status_code == 429
    assert list(Comment.objects.values_list("body", flat=True)) == ["one", "two"]


def test_script_comment_is_escaped_in_html_and_plain_in_the_api(
    poll, alice, bob, client_for, api_for
):
    client_for(bob).post(reverse("social:poll_comment", args=[poll.pk]), {"body": SCRIPT})
    assert Comment.objects.get().body == SCRIPT  # stored as typed, nothing stripped
    page = client_for(alice).get(reverse("social:poll", args=[poll.pk])).content.decode()
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    comments = api_for(alice).get(f"/api/v1/social/polls/{poll.pk}/").json()["comments"]
    assert comments[0]["body"] == SCRIPT


def test_script_in_question_and_username_is_escaped(
    alice, make_user, befriend, make_listing, client_for
):
    evil = make_user("<b>evil</b>")
    befriend(alice, evil)
    poll = services.create_poll(alice, SCRIPT, [make_listing(SCRIPT)], [evil])
    services.add_comment(poll, evil, "hi")
    page = client_for(alice).get(reverse("social:poll", args=[poll.pk])).content.decode()
    notifications = client_for(alice).get(reverse("social:notifications")).content.decode()
    for html in (page, notifications):
        assert SCRIPT not in html and "<b>evil</b>" not in html
