"""The poll page updates tallies and comments live, in a real headless Chromium: Bob votes and
comments in his browser while Alice watches hers."""

import shutil

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def session_cookies(alice, bob, live_server):
    """Logged-in session cookies, made before Playwright starts (its event loop and the ORM do
    not share a thread well)."""
    cookies = {}
    for user in (alice, bob):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies[user.username] = {
            "name": settings.SESSION_COOKIE_NAME,
            "value": cookie,
            "url": live_server.url,
        }
    return cookies


@pytest.fixture
def phone_page(session_cookies):
    """`phone_page(username)`: a new phone-sized page logged in as that user."""
    with playwright.sync_playwright() as runner:
        try:
            browser = runner.chromium.launch(
                executable_path=shutil.which("chromium") or shutil.which("chromium-browser"),
                args=["--no-sandbox"],
            )
        except playwright.Error as error:
            pytest.skip(f"no Chromium for Playwright here: {error}")

        def open_page(username):
            context = browser.new_context(viewport={"width": 390, "height": 844})
            context.add_cookies([session_cookies[username]])
            return context.new_page()

        yield open_page
        browser.close()


def test_votes_and_comments_appear_without_reload(poll, live_server, phone_page):
    url = live_server.url + reverse("social:poll", args=[poll.pk])
    alice = phone_page("alice")
    alice.goto(url)
    counts = alice.locator(".social-vote-count")
    assert counts.all_text_contents() == ["0", "0"]
    alice.evaluate("window.notReloaded = true")

    bob = phone_page("bob")
    bob.goto(url)
    bob.get_by_label("Blue sneakers").check()
    bob.get_by_role("button", name="Vote").click()
    bob.get_by_role("textbox", name="Comment").fill("<img src=x onerror=alert(1)> blue!")
    bob.get_by_role("button", name="Comment").click()
    assert bob.locator(".social-tag.mine").count() == 1

    alice.locator(".social-comment-list li", has_text="blue!").wait_for(timeout=10_000)
    assert counts.all_text_contents() == ["0", "1"]
    assert alice.locator(".social-comment-list img").count() == 0  # inserted as text
    assert alice.evaluate("window.notReloaded") is True
    # Nothing wider than a phone screen.
    assert alice.evaluate("document.documentElement.scrollWidth") <= 390


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


def test_a_closed_poll_is_not_polled(closed_poll, live_server, phone_page):
    page = phone_page("alice")
    calls = api_calls_of(page)
    page.clock.install()
    page.goto(live_server.url + reverse("social:poll", args=[closed_poll.pk]))
    page.clock.run_for(10_000)  # two of the 4 s ticks
    page.wait_for_timeout(300)
    assert calls == []


def test_polling_stops_once_the_poll_is_gone(poll, live_server, phone_page):
    """E.g. the owner deleted it or unfriended the viewer: the API answers 404 from then on."""
    page = phone_page("bob")
    calls = api_calls_of(page)
    page.route("**/api/v1/social/polls/**", lambda route: route.fulfill(status=404, body="{}"))
    page.clock.install()
    page.goto(live_server.url + reverse("social:poll", args=[poll.pk]))
    with page.expect_response("**/api/v1/social/polls/**"):
        page.clock.run_for(4_000)
    page.wait_for_timeout(300)
    page.clock.run_for(20_000)
    page.wait_for_timeout(300)
    assert len(calls) == 1
