"""The search page as a phone shows it: headless Chromium at 375 x 812 px."""
import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_text_search_results_start_on_the_first_screen_of_a_phone(phone, make_listing):
    make_listing("Vintage denim jacket")
    make_listing("Rain jacket")
    phone.open(reverse("search:search"))
    phone.fill("input[name=q]", "jacket")
    with phone.expect_navigation():
        phone.click(".search-form button[type=submit]")
    # The first result, down to its title, shows without scrolling (the open filters once
    # pushed it a screen down).
    top, title_bottom = phone.eval_on_selector(".grid .card", """card => [
        card.getBoundingClientRect().top,
        card.querySelector(".card__title").getBoundingClientRect().bottom]""")
    assert top <= 812 and title_bottom <= 812

    # No match: the message takes the grid's whole width, not one half-width cell.
    phone.fill("input[name=q]", "lamp")
    with phone.expect_navigation():
        phone.click(".search-form button[type=submit]")
    empty, grid = phone.eval_on_selector(".grid > .empty", """empty => [
        empty.getBoundingClientRect().width, empty.parentElement.getBoundingClientRect().width]""")
    assert empty == pytest.approx(grid, abs=1)
