"""In-site notifications (bell + unread count, mark read) and e-mails sent after commit."""

import pytest
from django.db import transaction
from django.urls import reverse

from marketplace.social import services
from marketplace.social.models import Notification

pytestmark = pytest.mark.django_db


def kinds(user):
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True)
    )


def test_every_event_notifies_the_right_people(alice, bob, carol, befriend, make_listing):
    friendship = services.send_friend_request(alice, bob)
    services.accept_friend_request(friendship, bob)
    poll = services.create_poll(alice, "Which?", [make_listing("A"), make_listing("B")], [bob])
    red, blue = poll.options.all()
    services.cast_vote(poll, bob, red)
    services.cast_vote(poll, bob, blue)  # a changed vote is not news
    services.add_comment(poll, bob, "Hmm")
    services.add_comment(poll, alice, "Thanks!")
    services.close_poll(poll, alice)
    assert kinds(bob) == ["friend_request", "poll_invite", "comment", "poll_closed"]
    assert kinds(alice) == ["friend_accepted", "vote", "comment"]
    assert kinds(carol) == []


def test_bell_shows_unread_count_and_marking_read_clears_it(poll, alice, bob, client_for):
    services.add_comment(poll, bob, "Red!")
    services.cast_vote(poll, bob, poll.options.first())
    client = client_for(alice)
    page = client.get(reverse("social:notifications")).content.decode()
    assert '<span class="social-badge">2</span>' in page
    assert "bob voted on your question: Which for the wedding?" in page
    notification = Notification.objects.filter(recipient=alice).first()
    response = client.post(
        reverse("social:notification_open", args=[notification.pk]),
        {"next": notification.get_absolute_url()},
    )
    assert response["Location"] == reverse("social:poll", args=[poll.pk])
    assert (
        '<span class="social-badge">1</span>'
        in client.get(reverse("social:polls")).content.decode()
    )
    client.post(reverse("social:notifications_read_all"))
    page = client.get(reverse("social:polls")).content.decode()
    assert "social-badge" not in page and "Ask friends" in page


def test_nobody_else_can_mark_my_notifications(poll, alice, bob, client_for, api_for):
    services.add_comment(poll, bob, "Red!")
    notification = Notification.objects.get(recipient=alice)
    assert (
        client_for(bob)
        .post(reverse("social:notification_open", args=[notification.pk]))
        .status_code
        == 404
    )
    assert (
        api_for(bob).post(f"/api/v1/social/notifications/{notification.pk}/read/").status_code
        == 404
    )
    notification.refresh_from_db()
    assert not notification.is_read


def test_notifications_api(poll, alice, bob, api_for):
    services.add_comment(poll, bob, "Red!")
    api = api_for(alice)
    assert api.get("/api/v1/social/notifications/unread-count/").json() == {"unread": 1}
    rows = api.get("/api/v1/social/notifications/").json()["results"]
    assert [(row["kind"], row["actor"]["username"], row["is_read"]) for row in rows] == [
        ("comment", "bob", False)
    ]
    assert api.post(f"/api/v1/social/notifications/{rows[0]['id']}/read/").json()["is_read"] is True
    assert api.get("/api/v1/social/notifications/unread-count/").json() == {"unread": 0}
    services.cast_vote(poll, bob, poll.options.first())
    assert api.post("/api/v1/social/notifications/read-all/").json() == {"marked": 1}


def test_email_is_sent_after_commit(alice, bob, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_friend_request(alice, bob)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["bob@example.com"]
    assert "alice sent you a friend request" in mail.subject
    assert "http://localhost:8000/social/friends/" in mail.body


def test_no_email_when_the_transaction_rolls_back(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.send_friend_request(alice, bob)
            raise RuntimeError("something later failed")
    assert mailoutbox == [] and not Notification.objects.exists()


def test_web_vote_emails_the_owner_and_opt_out_is_respected(
    poll, alice, bob, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    red, blue = poll.options.all()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(bob).post(reverse("social:poll_vote", args=[poll.pk]), {"option": red.pk})
    assert [mail.to for mail in mailoutbox] == [["alice@example.com"]]
    assert f"/social/polls/{poll.pk}/" in mailoutbox[0].body
    client_for(alice).post(reverse("social:notification_email"), {"enabled": "0"})
    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(poll, bob, "Red!")
    assert len(mailoutbox) == 1
    assert Notification.objects.filter(recipient=alice, kind="comment").exists()


def test_email_opt_out_in_the_api(
    alice, bob, api_for, mailoutbox, django_capture_on_commit_callbacks
):
    response = api_for(bob).put(
        "/api/v1/social/notifications/email/", {"enabled": False}, format="json"
    )
    assert response.status_code == 200 and response.json() == {"enabled": False}
    with django_capture_on_commit_callbacks(execute=True):
        services.send_friend_request(alice, bob)
    assert mailoutbox == []


def test_question_with_newlines_makes_a_valid_subject(
    alice, bob, befriend, make_listing, mailoutbox, django_capture_on_commit_callbacks
):
    befriend(alice, bob)
    with django_capture_on_commit_callbacks(execute=True):
        services.create_poll(alice, "Which one?\r\nBcc: x@evil.example", [make_listing("A")], [bob])
    assert len(mailoutbox) == 1
    assert (
        mailoutbox[0].subject
        == "Shoplens: alice asked for your opinion: Which one? Bcc: x@evil.example"
    )
    assert mailoutbox[0].recipients() == ["bob@example.com"]


def test_closing_tells_only_those_who_can_still_open_the_poll(
    poll, alice, bob, make_user, befriend, client_for, mailoutbox,
    django_capture_on_commit_callbacks,
):
    red = poll.options.first()
    dave, erin, frank, gina = (make_user(name) for name in ("dave", "erin", "frank", "gina"))
    for friend in (dave, erin, gina):
        befriend(alice, friend)
    services.invite_to_poll(poll, alice, [dave, erin, gina])
    for voter in (bob, dave, erin, frank):  # frank came by the private link
        services.cast_vote(poll, voter, red)
    services.remove_friend(alice, dave)  # his invitation is withdrawn
    services.block_user(alice, erin)
    services.block_user(gina, alice)  # gina never voted
    with django_capture_on_commit_callbacks(execute=True):
        services.close_poll(poll, alice)

    closed = Notification.objects.filter(kind="poll_closed")
    assert [n.recipient for n in closed] == [bob]
    assert [mail.to for mail in mailoutbox] == [["bob@example.com"]]
    notification = closed.get()
    assert client_for(bob).get(notification.get_absolute_url()).status_code == 200
