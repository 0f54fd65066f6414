"""The poll page updates tallies and comments live, in a real headless Chromium."""

import shutil

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from marketplace.social import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def browser_page(live_server, monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; the ORM calls made by the test
    # between page actions are still plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright.sync_playwright() as runner:
        try:
            browser = runner.chromium.launch(
                executable_path=shutil.which("chromium") or shutil.which("chromium-browser"),
                args=["--no-sandbox"],
            )
        except playwright.Error as error:
            pytest.skip(f"no Chromium for Playwright here: {error}")
        context = browser.new_context(viewport={"width": 390, "height": 844})
        yield context
        browser.close()


def login_cookie(user, live_server):
    client = Client()
    client.force_login(user)
    return {
        "name": django_settings.SESSION_COOKIE_NAME,
        "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


def test_votes_and_comments_appear_without_reload(poll, alice, bob, live_server, browser_page):
    browser_page.add_cookies([login_cookie(alice, live_server)])
    page = browser_page.new_page()
    page.goto(live_server.url + reverse("social:poll", args=[poll.pk]))
    counts = page.locator(".social-vote-count")
    assert counts.all_text_contents() == ["0", "0"]
    page.evaluate("window.notReloaded = true")

    services.cast_vote(poll, bob, poll.options.last())
    services.add_comment(poll, bob, "<img src=x onerror=alert(1)> blue!")

    page.locator(".social-comment-list li", has_text="blue!").wait_for(timeout=10_000)
    assert counts.all_text_contents() == ["0", "1"]
    assert page.locator(".social-comment-list img").count() == 0  # inserted as text
    assert page.evaluate("window.notReloaded") is True
    # No horizontal scrolling on a phone-sized screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
