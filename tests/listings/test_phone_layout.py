"""The pages as a phone shows them: real Chromium at 375 px against a live server."""
import re

import pytest
from django.urls import reverse

from marketplace.listings.models import Category, Listing

pytestmark = pytest.mark.browser


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def contrast(colour: str, other: str) -> float:
    """WCAG contrast ratio of two CSS `rgb(r, g, b)` colours (1 to 21; text wants >= 4.5)."""
    def luminance(css: str) -> float:
        channels = [int(part) / 255 for part in re.findall(r"\d+", css)[:3]]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted([luminance(colour), luminance(other)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_a_seller_lists_an_item_on_a_phone(phone, seller, make_listing, add_photo):
    jeans = make_listing("A very long title for a pair of jeans that goes on and on and on")
    add_photo(jeans)
    phone.open(reverse("accounts:login"))
    phone.fill("#id_username", "sam")
    phone.fill("#id_password", "seller-pass-123")
    phone.click("form.form button[type=submit]")

    for path in [reverse("listings:browse"), reverse("listings:mine"), reverse("listings:create"),
                 jeans.get_absolute_url(), reverse("photos:manage", args=[jeans.pk])]:
        phone.open(path)
        assert fits_the_screen(phone), path
    # The photo's Delete button is readable (its text was once red on red).
    text, background = phone.eval_on_selector(
        ".photo-actions .button.danger",
        "button => [getComputedStyle(button).color, getComputedStyle(button).backgroundColor]")
    assert contrast(text, background) >= 4.5

    phone.open(reverse("listings:create"))
    phone.fill("#id_title", "Road bike")
    phone.fill("#id_price", "-5")
    phone.select_option("#id_category", str(Category.objects.get(slug="bicycles").pk))
    phone.click("form.form button[type=submit]")
    assert "greater than or equal to 0" in phone.inner_text(".field--price .error")
    assert Listing.objects.count() == 1

    phone.fill("#id_price", "250")
    phone.click("form.form button[type=submit]")
    created = Listing.objects.get(title="Road bike")
    assert (created.seller, created.price, created.category.slug) == (seller, 250, "bicycles")
    assert phone.url.endswith(reverse("photos:manage", args=[created.pk]))
    assert fits_the_screen(phone)


def test_long_unbroken_titles_and_places_wrap_on_a_phone(phone, seller, make_listing, add_photo):
    listing = make_listing("Ultra" + "light" * 23, location="Llanfairpwllgwyngyllgogerychwyrn"
                           "drobwllllantysiliogogogoch-Anglesey-Wales-United-Kingdom")
    photo = add_photo(listing)
    phone.log_in(seller)
    for path in [listing.get_absolute_url(), reverse("listings:delete", args=[listing.pk]),
                 reverse("photos:manage", args=[listing.pk]),
                 reverse("photos:delete", args=[listing.pk, photo.pk])]:
        phone.open(path)
        assert fits_the_screen(phone), path


def header_rows(page, selector: str) -> int:
    """How many rows the header's `selector` items take (items whose middles are a few px apart
    share a row)."""
    middles = sorted(page.eval_on_selector_all(selector, """items => items.map(item => {
        const box = item.getBoundingClientRect(); return box.top + box.height / 2; })"""))
    return 1 + sum(1 for above, below in zip(middles, middles[1:]) if below - above > 8)


def header_height(page) -> float:
    return page.eval_on_selector(".site-header", "header => header.offsetHeight")


def test_the_phone_header_wraps_tidily(phone, seller):
    """At 375 px the brand has the first row; a logged-out visitor's links (Sign up included)
    share the second, and a member's more links take at most two rows."""
    links = ".site-nav > a, .site-nav > form"
    phone.open(reverse("listings:browse"))
    assert header_rows(phone, links) == 1
    assert header_rows(phone, ".brand, " + links) == 2
    assert header_height(phone) <= 110
    phone.log_in(seller)
    phone.open(reverse("listings:browse"))
    assert header_rows(phone, links) <= 2
    assert header_height(phone) <= 150
    assert fits_the_screen(phone)


def test_a_phone_shows_the_moderators_notice_first_and_saved_rows_whole(
        phone, seller, buyer, make_listing, add_photo):
    """The notice on a hidden listing comes before its gallery (which fills a phone's first
    screen), and a saved row keeps its price and its Remove button on the title's line."""
    from marketplace.social.models import SavedListing

    hidden = make_listing("Red coat", hidden_reason="Counterfeit", is_hidden=True)
    add_photo(hidden)
    phone.log_in(seller)
    phone.open(hidden.get_absolute_url())
    notice = phone.locator(".notice.warning").bounding_box()
    gallery = phone.locator(".gallery").bounding_box()
    assert notice["y"] + notice["height"] <= gallery["y"] <= 812

    saved = make_listing("Hand-knitted merino wool scarf", price="1250.00", currency="SEK")
    add_photo(saved)
    SavedListing.objects.create(user=buyer, listing=saved)
    phone.log_in(buyer)
    phone.open(reverse("social:saved"))
    row = phone.locator(".social-list li").first
    middles = [box["y"] + box["height"] / 2 for box in (
        row.locator(part).bounding_box() for part in ("a", "span", "button"))]
    assert max(middles) - min(middles) < 8
    assert fits_the_screen(phone)


@pytest.mark.urls("tests.listings.urls_with_error")
def test_error_pages_look_like_the_site_on_a_phone(phone, db):
    """The 404 and 500 pages: the site's header and styles, nothing wider than the screen, and
    a way back home and to search in reach."""
    for path, status, heading in [("/listings/999999/", 404, "We can’t find that page"),
                                  ("/broken/", 500, "Something went wrong on our side")]:
        response = phone.open(path)
        assert response.status == status
        assert phone.inner_text("main h1") == heading
        assert phone.locator(".site-header .brand").is_visible()
        assert phone.locator('a[href="/search/"]').first.is_visible()
        assert phone.locator('main a.button[href="/"]').is_visible()
        style = phone.eval_on_selector(".empty", "box => getComputedStyle(box).borderStyle")
        assert style == "dashed"  # the site's stylesheet is there
        assert fits_the_screen(phone)
