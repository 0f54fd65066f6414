"""The admin as a moderator sees it: every changelist fits a 1280×800 window in real Chromium."""
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from marketplace.listings.models import Category, Listing
from marketplace.photos.models import Photo
from marketplace.social.models import (
    Block,
    Comment,
    Friendship,
    Notification,
    Poll,
    PollOption,
    SavedListing,
    Vote,
)
from marketplace.spins.models import Spin

pytestmark = pytest.mark.browser

LONG_TITLE = ("Vintage Levi's 501 high-waisted straight-leg denim jeans, W28 L32, light "
              "stonewash, barely worn, all original buttons")
LONG_TEXT = ("Honestly I would go for the second one: the colour is nicer, the seller answers "
             "quickly and the price includes shipping to the Netherlands. ") * 6


@pytest.fixture
def busy_site(django_user_model, categories, media_root):
    """A row of every registered model, with long values of the kind people really type."""
    admin_user = django_user_model.objects.create_superuser(
        "moderator", "moderator@example.com", "admin-pass-123")
    seller, buyer = (django_user_model.objects.create_user(
        name, f"{name}@example.com", "pw-Sh0plens!")
        for name in ("margaret.vandenberg", "chris.oyelaran-jones"))
    listing = Listing.objects.create(
        seller=seller, title=LONG_TITLE, price=Decimal("12345.00"),
        category=Category.objects.get(slug="accessories"), condition=Listing.Condition.LIKE_NEW,
        location="Amsterdam-Zuidoost")
    Photo.objects.create(
        listing=listing, status=Photo.Status.FAILED, original=ContentFile(b"x", name="original"),
        failure_reason="The image could not be decoded: the file is truncated or corrupt "
                       "(cannot identify image file), please upload it again")
    Spin.objects.create(listing=listing, created_by=seller, source_kind=Spin.SourceKind.PHOTOS,
                        status=Spin.Status.DONE, progress=100, frame_count=72, loop_closed=True,
                        is_live=True)
    Friendship.objects.create(from_user=seller, to_user=buyer, status=Friendship.Status.ACCEPTED)
    Block.objects.create(blocker=admin_user, blocked=buyer)
    SavedListing.objects.create(user=buyer, listing=listing)
    poll = Poll.objects.create(owner=buyer, question=LONG_TEXT[:200], closed_at=timezone.now())
    option = PollOption.objects.create(poll=poll, listing=listing, position=0, title=LONG_TITLE,
                                       price=listing.price, currency=listing.currency)
    Vote.objects.create(poll=poll, voter=seller, option=option)
    Comment.objects.create(poll=poll, author=seller, body=LONG_TEXT[:Comment.MAX_LENGTH])
    Notification.objects.create(recipient=buyer, actor=seller, kind=Notification.Kind.COMMENT,
                                poll=poll)
    Token.objects.create(user=seller)
    Group.objects.create(name="Moderators")
    return admin_user


def test_every_changelist_fits_a_1280_px_window(new_page, busy_site):
    """With the navigation sidebar open (as it starts) and the filters beside the table, the
    results table gets about half the window. Chromium here draws the admin in DejaVu Sans,
    wider than the fonts moderators' systems pick, so what fits here fits there."""
    page = new_page(width=1280, height=800, user=busy_site)
    too_wide = {}
    for model in admin.site._registry:
        opts = model._meta
        page.open(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert page.locator("#nav-sidebar").is_visible()
        assert page.locator("#result_list tbody tr").count() >= 1, opts.label  # rows to measure
        widths = page.eval_on_selector(
            "#changelist-form .results", "results => [results.scrollWidth, results.clientWidth]")
        if widths[0] > widths[1]:
            too_wide[opts.label] = widths
    assert too_wide == {}
