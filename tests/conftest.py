"""Shared fixtures. The database is the real Postgres+pgvector that `make test` starts."""
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    """DATABASE_URL re-pointed at the test database pytest-django created."""
    base, _, _ = os.environ["DATABASE_URL"].rpartition("/")
    return f"{base}/{connection.settings_dict['NAME']}"


def worker_environment(**overrides: str) -> dict[str, str]:
    """Environment for a worker process: the test database and this test's storages (MEDIA_ROOT
    and the private root; see `media_root`), plus `overrides`."""
    return dict(os.environ, DATABASE_URL=test_database_url(), PYTHONUNBUFFERED="1",
                DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT),
                DJANGO_PRIVATE_MEDIA_ROOT=str(settings.PRIVATE_MEDIA_ROOT), **overrides)


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """A real `celery worker` process consuming from this run's Redis, writing to the test DB
    and to this test's storages (MEDIA_ROOT and the private root; see `media_root`).

    Yields a callable that stops the worker (gracefully unless `kill=True`) so tests can
    simulate a crash; the worker is always stopped at the end.
    """
    env = worker_environment()
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "worker", "worker", "--pool", "solo",
             "--queues", "default,vision", "--loglevel", "INFO", "--without-heartbeat",
             "--without-mingle", "--without-gossip"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while "ready." not in log_path.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"Celery worker did not start:\n{log_path.read_text()}")
        time.sleep(0.1)

    def stop(kill: bool = False) -> None:
        if process.poll() is None:
            process.kill() if kill else process.terminate()
            process.wait(timeout=30)

    stop.process = process
    stop.log_path = log_path
    yield stop
    stop()


@pytest.fixture
def media_root(settings, tmp_path, monkeypatch):
    """Uploaded files go to per-test folders: MEDIA_ROOT (returned) for renditions and
    PRIVATE_MEDIA_ROOT for originals."""
    from marketplace.photos.models import Photo, private_storage

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {**settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": settings.PRIVATE_MEDIA_ROOT}}}
    # A FileField calls its storage callable once, at import: point it at the new storage.
    monkeypatch.setattr(Photo._meta.get_field("original"), "storage", private_storage())
    return settings.MEDIA_ROOT


@pytest.fixture(scope="session", autouse=True)
def static_root_exists():
    """WhiteNoise warns on every request handler when STATIC_ROOT is missing."""
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Pages render without `collectstatic` (the manifest storage used when DEBUG is off
    needs the manifest that collectstatic writes)."""
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def own_cache_keys(settings):
    """Each test keeps its cache entries (the throttles' counts) under a prefix of its own in the
    shared Redis: nothing leaks between tests or parallel runs, and nothing needs flushing (a
    flush would empty the Celery broker, which lives in the same Redis)."""
    settings.CACHES = {"default": {**settings.CACHES["default"],
                                   "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """A cheap hasher: the real one is deliberately slow and tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def categories(db):
    """The taxonomy's categories. The seeding migration creates them, but a transactional test
    (e.g. one with `celery_worker_process`) flushes every table when it ends; this re-seeds."""
    from marketplace.listings.services import sync_categories

    sync_categories()


# Quiet, GPU-less headless Chromium for every browser test.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture
def new_page(live_server, monkeypatch):
    """`new_page(width=375, height=812, user=None, args=(), **context_options)`: a new Playwright
    page, in a browser context of its own, logged in as `user` (or logged out), in headless
    Chromium started with `args` besides the usual ones (pages with the same `args` share one
    browser). Each page has `page.open(path)` for the live server and `page.log_in(user)`.
    The one place browser tests get a browser: skips the test where Chromium is missing."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("needs Chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test are
    # still plain synchronous code, but their connection lives in the loop's context.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browsers = {}

        def open_page(width=375, height=812, user=None, args=(), **context_options):
            args = tuple(args)
            if args not in browsers:
                browsers[args] = playwright.chromium.launch(
                    executable_path=chromium, args=CHROMIUM_ARGS + list(args))
            context = browsers[args].new_context(
                viewport={"width": width, "height": height}, **context_options)
            page = context.new_page()
            page.open = lambda path: page.goto(live_server.url + path)

            def log_in(user) -> None:
                client = Client()
                client.force_login(user)
                context.add_cookies([{
                    "name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])

            page.log_in = log_in
            if user is not None:
                log_in(user)
            return page

        yield open_page
        connections.close_all()  # the test's connection, before its context goes away
        for browser in browsers.values():
            browser.close()


@pytest.fixture
def phone(new_page):
    """A logged-out page 375 px wide: see `new_page`."""
    return new_page()
