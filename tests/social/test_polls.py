"""Ask friends: who can see and vote, one vote per person, closing, results, live data."""

import pytest
from django.urls import reverse

from marketplace.listings.models import Listing
from marketplace.social import services
from marketplace.social.models import Poll, Vote

pytestmark = pytest.mark.django_db


def api_poll(poll):
    return f"/api/v1/social/polls/{poll.pk}/"


def test_create_poll_through_the_web_from_saved_and_start_listing(
    alice, bob, befriend, make_listing, client_for
):
    befriend(alice, bob)
    saved, start = make_listing("Oil painting"), make_listing("Watercolour")
    services.save_listing(alice, saved)
    client = client_for(alice)
    form = client.get(reverse("social:poll_create"), {"listing": start.pk}).content.decode()
    assert "Oil painting" in form and "Watercolour" in form and "bob" in form
    response = client.post(
        f"{reverse('social:poll_create')}?listing={start.pk}",
        {
            "question": "Which for the hallway?",
            "listings": [saved.pk, start.pk],
            "invitees": [bob.pk],
        },
    )
    poll = Poll.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "social:poll", args=[poll.pk]
    )
    assert sorted(option.title for option in poll.options.all()) == ["Oil painting", "Watercolour"]
    assert list(poll.invitees.all()) == [bob]


def test_poll_needs_one_to_four_available_listings(alice, make_listing):
    listings = [make_listing(f"Item {number}") for number in range(5)]
    with pytest.raises(services.SocialError, match="between 1 and 4"):
        services.create_poll(alice, "Which?", listings)
    with pytest.raises(services.SocialError, match="between 1 and 4"):
        services.create_poll(alice, "Which?", [])
    sold = make_listing("Gone already", status="sold")
    with pytest.raises(services.SocialError, match="No longer for sale: Gone already"):
        services.create_poll(alice, "Which?", [listings[0], sold])
    assert not Poll.objects.exists()


def test_a_seller_cannot_ask_about_their_own_listing(
    alice, bob, befriend, make_listing, category, client_for, api_for
):
    """Not through the service, the web form (which offers the listing it was started from)
    or the API; the message says why and nothing is stored."""
    other = make_listing("Oak table")
    own = Listing.objects.create(seller=alice, title="Pine table", price=50, category=category)
    befriend(alice, bob)
    with pytest.raises(services.SocialError, match="You are selling Pine table: ask about"):
        services.create_poll(alice, "Which table?", [other, own], [bob])
    url = f"{reverse('social:poll_create')}?listing={own.pk}"
    response = client_for(alice).post(
        url, {"question": "Which table?", "listings": [own.pk], "invitees": [bob.pk]}
    )
    assert response.status_code == 200
    assert "You are selling Pine table: ask about" in response.content.decode()
    response = api_for(alice).post(
        "/api/v1/social/polls/",
        {"question": "Which table?", "listings": [other.pk, own.pk], "invitees": ["bob"]},
        format="json",
    )
    assert response.status_code == 400 and "Pine table" in response.json()["detail"]
    assert not Poll.objects.exists()
    assert not bob.notifications.exists()


def test_only_friends_can_be_invited(alice, carol, make_listing, api_for):
    listing = make_listing("Lamp")
    with pytest.raises(services.SocialError, match="only ask your friends; not: carol"):
        services.create_poll(alice, "This lamp?", [listing], [carol])
    response = api_for(alice).post(
        "/api/v1/social/polls/",
        {"question": "This lamp?", "listings": [listing.pk], "invitees": ["carol"]},
        format="json",
    )
    assert response.status_code == 400 and "carol" in response.json()["detail"]
    assert not Poll.objects.exists()


def test_non_invited_user_gets_404(poll, carol, client_for, api_for):
    assert client_for(carol).get(reverse("social:poll", args=[poll.pk])).status_code == 404
    option = poll.options.first()
    assert (
        client_for(carol)
        .post(reverse("social:poll_vote", args=[poll.pk]), {"option": option.pk})
        .status_code
        == 404
    )
    assert api_for(carol).get(api_poll(poll)).status_code == 404
    assert api_for(carol).post(api_poll(poll) + "vote/", {"option": option.pk}).status_code == 404
    assert api_for(carol).post(api_poll(poll) + "comments/", {"body": "hi"}).status_code == 404
    # Same answer as a poll that does not exist.
    assert api_for(carol).get("/api/v1/social/polls/999999/").status_code == 404
    assert not Vote.objects.exists()
    assert api_for(carol).get("/api/v1/social/polls/").json()["results"] == []


def test_anonymous_visitor_is_sent_to_login(poll, client, api_for):
    response = client.get(reverse("social:poll", args=[poll.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert api_for().get(api_poll(poll)).status_code in (401, 403)


def test_invited_friend_votes_and_changes_the_vote_on_the_web(poll, bob, client_for):
    red, blue = poll.options.all()
    client = client_for(bob)
    page = client.get(reverse("social:poll", args=[poll.pk])).content.decode()
    assert "Which for the wedding?" in page and "Red sneakers" in page
    client.post(reverse("social:poll_vote", args=[poll.pk]), {"option": red.pk})
    client.post(reverse("social:poll_vote", args=[poll.pk]), {"option": blue.pk})
    vote = Vote.objects.get()
    assert (vote.voter, vote.option) == (bob, blue)


def test_invited_friend_votes_and_changes_the_vote_in_the_api(poll, bob, api_for):
    red, blue = poll.options.all()
    api = api_for(bob)
    first = api.post(api_poll(poll) + "vote/", {"option": red.pk}, format="json")
    assert first.status_code == 200 and first.json()["my_vote"] == red.pk
    second = api.post(api_poll(poll) + "vote/", {"option": blue.pk}, format="json").json()
    assert second["my_vote"] == blue.pk
    assert [option["votes"] for option in second["options"]] == [0, 1]
    assert Vote.objects.count() == 1


def test_option_of_another_poll_or_garbage_is_refused(
    poll, alice, bob, make_listing, api_for, client_for
):
    other = services.create_poll(alice, "Other?", [make_listing("Hat")])
    foreign_option = other.options.get()
    response = api_for(bob).post(
        api_poll(poll) + "vote/", {"option": foreign_option.pk}, format="json"
    )
    assert response.status_code == 400
    assert (
        api_for(bob).post(api_poll(poll) + "vote/", {"option": "x"}, format="json").status_code
        == 400
    )
    for option in (foreign_option.pk, "x", ""):
        page = client_for(bob).post(
            reverse("social:poll_vote", args=[poll.pk]), {"option": option}, follow=True
        )
        assert page.status_code == 200 and "Pick one of the options." in page.content.decode()
    assert not Vote.objects.exists()


def test_vote_after_close_is_refused(poll, alice, bob, client_for, api_for):
    red, blue = poll.options.all()
    services.cast_vote(poll, bob, red)
    assert api_for(bob).post(api_poll(poll) + "close/").status_code == 400  # only the owner closes
    assert api_for(alice).post(api_poll(poll) + "close/").status_code == 200
    response = api_for(bob).post(api_poll(poll) + "vote/", {"option": blue.pk}, format="json")
    assert response.status_code == 400 and "closed" in response.json()["detail"]
    page = client_for(bob).post(
        reverse("social:poll_vote", args=[poll.pk]), {"option": blue.pk}, follow=True
    )
    assert "This question is closed." in page.content.decode()
    assert Vote.objects.get().option == red


def test_closing_shows_the_winner(poll, alice, bob, carol, befriend, client_for):
    red, blue = poll.options.all()
    befriend(alice, carol)
    services.invite_to_poll(poll, alice, [carol])
    services.cast_vote(poll, bob, blue)
    services.cast_vote(poll, carol, blue)
    client = client_for(alice)
    client.post(reverse("social:poll_close", args=[poll.pk]))
    page = client.get(reverse("social:poll", args=[poll.pk])).content.decode()
    assert "Your friends picked <strong>Blue sneakers</strong>" in page
    assert "Winner" in page


def test_tie_is_shown_as_a_tie(poll, alice, bob, client_for, api_for):
    red, blue = poll.options.all()
    services.cast_vote(poll, bob, red)
    services.cast_vote(poll, alice, blue)
    services.close_poll(poll, alice)
    page = client_for(bob).get(reverse("social:poll", args=[poll.pk])).content.decode()
    assert "It's a tie: Red sneakers, Blue sneakers." in page
    assert sorted(api_for(bob).get(api_poll(poll)).json()["winners"]) == sorted([red.pk, blue.pk])


def test_live_data_carries_tallies_and_comments(poll, alice, bob, api_for, client_for):
    red, _ = poll.options.all()
    page = client_for(alice).get(reverse("social:poll", args=[poll.pk])).content.decode()
    assert f'data-live-url="{api_poll(poll)}"' in page and "social_poll.js" in page
    services.cast_vote(poll, bob, red)
    services.add_comment(poll, bob, "Red, definitely")
    data = api_for(alice).get(api_poll(poll)).json()
    assert data["total_votes"] == 1 and data["options"][0]["votes"] == 1
    assert [(comment["author"]["username"], comment["body"]) for comment in data["comments"]] == [
        ("bob", "Red, definitely")
    ]
    assert data["my_vote"] is None


def test_comment_through_web_and_api(poll, bob, client_for, api_for):
    client_for(bob).post(reverse("social:poll_comment", args=[poll.pk]), {"body": "Blue!"})
    response = api_for(bob).post(api_poll(poll) + "comments/", {"body": "Or red?"}, format="json")
    assert response.status_code == 201
    assert list(poll.comments.values_list("body", flat=True)) == ["Blue!", "Or red?"]
    empty = api_for(bob).post(api_poll(poll) + "comments/", {"body": "   "}, format="json")
    assert empty.status_code == 400 and poll.comments.count() == 2


def test_poll_lists(poll, alice, bob, client_for, api_for):
    assert "Which for the wedding?" in client_for(bob).get(reverse("social:polls")).content.decode()
    assert [row["id"] for row in api_for(alice).get("/api/v1/social/polls/").json()["results"]] == [
        poll.pk
    ]


def test_api_create_poll(alice, bob, befriend, make_listing, api_for):
    befriend(alice, bob)
    listings = [make_listing("A"), make_listing("B"), make_listing("C")]
    response = api_for(alice).post(
        "/api/v1/social/polls/",
        {
            "question": "Which?",
            "listings": [listing.pk for listing in listings],
            "invitees": ["bob"],
        },
        format="json",
    )
    assert response.status_code == 201
    assert [option["title"] for option in response.json()["options"]] == ["A", "B", "C"]
    assert api_for(bob).get(f"/api/v1/social/polls/{response.json()['id']}/").status_code == 200


def test_more_friends_can_be_invited_later(poll, alice, carol, befriend, client_for):
    befriend(alice, carol)
    page = client_for(alice).get(reverse("social:poll", args=[poll.pk])).content.decode()
    assert "carol" in page
    client_for(alice).post(reverse("social:poll_invite", args=[poll.pk]), {"invitees": [carol.pk]})
    assert client_for(carol).get(reverse("social:poll", args=[poll.pk])).status_code == 200


def test_a_new_poll_was_asked_just_now_and_an_older_one_minutes_ago(poll, alice, client_for):
    from datetime import timedelta

    from django.utils import timezone

    url = reverse("social:poll", args=[poll.pk])
    page = client_for(alice).get(url).content.decode()
    assert "Asked by alice · just now" in page and "0 minutes" not in page
    Poll.objects.filter(pk=poll.pk).update(created_at=timezone.now() - timedelta(minutes=3))
    assert "Asked by alice · 3\xa0minutes ago" in client_for(alice).get(url).content.decode()
