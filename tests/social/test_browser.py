"""The poll page updates tallies and comments live, in a real headless Chromium: Bob votes and
comments in his browser while Alice watches hers."""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_votes_and_comments_appear_without_reload(poll, alice, bob, new_page):
    url = reverse("social:poll", args=[poll.pk])
    alice_page = new_page(user=alice)
    alice_page.open(url)
    counts = alice_page.locator(".social-vote-count")
    assert counts.all_text_contents() == ["0", "0"]
    alice_page.evaluate("window.notReloaded = true")

    bob_page = new_page(user=bob)
    bob_page.open(url)
    bob_page.get_by_label("Blue sneakers").check()
    bob_page.get_by_role("button", name="Vote").click()
    bob_page.get_by_role("textbox", name="Comment").fill("<img src=x onerror=alert(1)> blue!")
    bob_page.get_by_role("button", name="Comment").click()
    assert bob_page.locator(".social-tag.mine").count() == 1

    alice_page.locator(".social-comment-list li", has_text="blue!").wait_for(timeout=10_000)
    assert counts.all_text_contents() == ["0", "1"]
    # Worded as the server renders them: "1 vote", not "1 votes".
    assert alice_page.locator(".social-votes").all_inner_texts() == ["0 votes", "1 vote"]
    assert "· 1 vote" in alice_page.inner_text(".social-meta")
    assert alice_page.locator(".social-comment-list img").count() == 0  # inserted as text
    assert alice_page.evaluate("window.notReloaded") is True
    # Nothing wider than a phone screen.
    width = alice_page.viewport_size["width"]
    assert alice_page.evaluate("document.documentElement.scrollWidth") <= width


def api_calls_of(page) -> list[str]:
    """The poll API requests `page` makes from now on."""
    calls = []
    page.on("request", lambda request: calls.append(request.url)
            if "/api/v1/social/" in request.url else None)
    return calls


@pytest.fixture
def closed_poll(poll, alice):
    from marketplace.social import services

    return services.close_poll(poll, alice)


def test_a_closed_poll_is_not_polled(closed_poll, alice, new_page):
    page = new_page(user=alice)
    calls = api_calls_of(page)
    page.clock.install()
    page.open(reverse("social:poll", args=[closed_poll.pk]))
    page.clock.run_for(10_000)  # two of the 4 s ticks
    page.wait_for_timeout(300)
    assert calls == []


def test_polling_stops_once_the_poll_is_gone(poll, bob, new_page):
    """E.g. the owner deleted it or unfriended the viewer: the API answers 404 from then on."""
    page = new_page(user=bob)
    calls = api_calls_of(page)
    page.route("**/api/v1/social/polls/**", lambda route: route.fulfill(status=404, body="{}"))
    page.clock.install()
    page.open(reverse("social:poll", args=[poll.pk]))
    with page.expect_response("**/api/v1/social/polls/**"):
        page.clock.run_for(4_000)
    page.wait_for_timeout(300)
    page.clock.run_for(20_000)
    page.wait_for_timeout(300)
    assert len(calls) == 1


def make_a_private_link(page, poll) -> str:
    page.open(reverse("social:poll", args=[poll.pk]))
    with page.expect_navigation():
        page.get_by_role("button", name="Make a private link").click()
    return page.input_value("#new-share-link")


def test_the_private_link_is_copied_with_one_tap(poll, alice, new_page):
    page = new_page(user=alice, permissions=["clipboard-read", "clipboard-write"])
    link = make_a_private_link(page, poll)
    assert "/social/shared/" in link
    page.get_by_role("button", name="Copy link").click()
    page.get_by_role("button", name="Copied").wait_for(timeout=5_000)
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_without_a_clipboard_the_link_is_selected_for_copying(poll, alice, new_page):
    page = new_page(user=alice)
    page.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    link = make_a_private_link(page, poll)
    page.get_by_role("button", name="Copy link").click()
    assert page.evaluate("document.activeElement.id") == "new-share-link"
    assert page.evaluate("""() => { const box = document.activeElement;
        return box.value.slice(box.selectionStart, box.selectionEnd); }""") == link
    assert "selected" in page.inner_text(".copy-status")
