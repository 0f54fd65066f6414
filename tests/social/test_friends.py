import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from marketplace.social import selectors, services
from marketplace.social.models import Block, Friendship

pytestmark = pytest.mark.django_db


def test_request_accept_and_remove_through_the_web(alice, bob, client_for):
    client = client_for(alice)
    response = client.post(reverse("social:send_request", args=[bob.pk]), follow=True)
    assert "Friend request sent to bob" in response.content.decode()
    friendship = Friendship.objects.get(from_user=alice, to_user=bob)
    assert friendship.status == Friendship.Status.PENDING

    client = client_for(bob)
    page = client.get(reverse("social:friends")).content.decode()
    assert reverse("social:accept_request", args=[friendship.pk]) in page
    client.post(reverse("social:accept_request", args=[friendship.pk]))
    assert list(selectors.friends_of(alice)) == [bob]
    assert list(selectors.friends_of(bob)) == [alice]

    client.post(reverse("social:remove_friend", args=[alice.pk]))
    assert not Friendship.objects.exists()


def test_decline_and_only_the_recipient_can_answer(alice, bob, carol, client_for):
    friendship = services.send_friend_request(alice, bob)
    # Alice cannot accept her own request, Carol cannot touch it: both 404.
    assert (
        client_for(alice).post(reverse("social:accept_request", args=[friendship.pk])).status_code
        == 404
    )
    assert (
        client_for(carol).post(reverse("social:decline_request", args=[friendship.pk])).status_code
        == 404
    )
    client_for(bob).post(reverse("social:decline_request", args=[friendship.pk]))
    friendship.refresh_from_db()
    assert friendship.status == Friendship.Status.DECLINED
    assert not selectors.friends_of(alice).exists()


def test_request_back_accepts_the_pending_one(alice, bob):
    services.send_friend_request(alice, bob)
    friendship = services.send_friend_request(bob, alice)
    assert friendship.status == Friendship.Status.ACCEPTED
    assert Friendship.objects.count() == 1


def test_duplicate_and_self_requests_are_refused(alice, bob):
    services.send_friend_request(alice, bob)
    with pytest.raises(services.SocialError, match="already sent"):
        services.send_friend_request(alice, bob)
    with pytest.raises(services.SocialError, match="yourself"):
        services.send_friend_request(alice, alice)


def test_database_allows_one_row_per_unordered_pair(alice, bob):
    Friendship.objects.create(from_user=alice, to_user=bob)
    with pytest.raises(IntegrityError), transaction.atomic():
        Friendship.objects.create(from_user=bob, to_user=alice)


def test_search_by_username_hides_blockers(alice, bob, carol, make_user):
    make_user("bobby")
    assert [user.username for user in selectors.search_users(alice, "BOB")] == ["bob", "bobby"]
    services.block_user(bob, alice)  # bob blocked alice: alice can no longer find him
    assert [user.username for user in selectors.search_users(alice, "bob")] == ["bobby"]
    assert alice not in selectors.search_users(bob, "ali")


def test_friends_page_search_lists_people(alice, bob, client_for):
    page = client_for(alice).get(reverse("social:friends"), {"q": "bo"}).content.decode()
    assert "bob" in page and reverse("social:send_request", args=[bob.pk]) in page


def test_block_ends_friendship_and_forbids_requests(alice, bob, befriend):
    befriend(alice, bob)
    services.block_user(alice, bob)
    assert not Friendship.objects.exists()
    with pytest.raises(services.SocialError):
        services.send_friend_request(bob, alice)
    with pytest.raises(services.SocialError):
        services.send_friend_request(alice, bob)
    services.unblock_user(alice, bob)
    assert services.send_friend_request(bob, alice).status == Friendship.Status.PENDING


def test_block_drops_pending_request(alice, bob, client_for):
    services.send_friend_request(bob, alice)
    client_for(alice).post(reverse("social:block", args=[bob.pk]))
    assert Block.objects.filter(blocker=alice, blocked=bob).exists()
    assert not Friendship.objects.exists()
    assert not selectors.incoming_requests(alice).exists()


def test_friendship_api(alice, bob, carol, api_for):
    response = api_for(alice).post(
        "/api/v1/social/friendships/", {"username": "bob"}, format="json"
    )
    assert response.status_code == 201
    friendship_id = response.json()["id"]
    assert (
        api_for(alice).post(f"/api/v1/social/friendships/{friendship_id}/accept/").status_code
        == 404
    )
    assert api_for(carol).get(f"/api/v1/social/friendships/{friendship_id}/").status_code == 404
    response = api_for(bob).post(f"/api/v1/social/friendships/{friendship_id}/accept/")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    again = api_for(alice).post("/api/v1/social/friendships/", {"username": "bob"}, format="json")
    assert again.status_code == 400 and "already friends" in again.json()["detail"]
    assert [
        row["id"] for row in api_for(bob).get("/api/v1/social/friendships/").json()["results"]
    ] == [friendship_id]
    assert api_for(bob).delete(f"/api/v1/social/friendships/{friendship_id}/").status_code == 204
    assert not Friendship.objects.exists()


def test_user_search_and_block_api(alice, bob, api_for):
    assert [
        user["username"] for user in api_for(alice).get("/api/v1/social/users/", {"q": "bo"}).json()
    ] == ["bob"]
    response = api_for(bob).post("/api/v1/social/blocks/", {"username": "alice"}, format="json")
    assert response.status_code == 201
    assert api_for(alice).get("/api/v1/social/users/", {"q": "bo"}).json() == []
    refused = api_for(alice).post("/api/v1/social/friendships/", {"username": "bob"}, format="json")
    assert refused.status_code == 400
    assert api_for(bob).delete(f"/api/v1/social/blocks/{response.json()['id']}/").status_code == 204
    assert not Block.objects.exists()


def test_pages_need_login(client):
    response = client.get(reverse("social:friends"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client.get("/api/v1/social/friendships/").status_code in (401, 403)


@pytest.mark.parametrize("answer", ["accept_friend_request", "decline_friend_request"])
def test_answering_a_friend_request_reads_its_notification(alice, bob, carol, answer):
    """The request's notification asked for an answer: once given, it no longer counts as
    unread (others stay unread)."""
    from marketplace.social.models import Notification

    friendship = services.send_friend_request(alice, bob)
    services.send_friend_request(carol, bob)
    getattr(services, answer)(friendship, bob)
    unread = Notification.objects.filter(recipient=bob, is_read=False)
    assert [(n.actor, n.kind) for n in unread] == [(carol, Notification.Kind.FRIEND_REQUEST)]
