"""Drag to reorder on the photo manager, in headless Chromium against a live server."""
import pytest
from django.urls import reverse

import photo_files as files
from marketplace.photos.models import Photo

pytestmark = pytest.mark.browser


@pytest.fixture
def manager(phone, seller, listing, stored_photo):
    """The seller's photo manager with three photos, and the reorder requests it sends."""
    photos = [stored_photo(listing, files.jpeg(), position) for position in (1, 2, 3)]
    phone.log_in(seller)
    phone.open(reverse("photos:manage", args=[listing.pk]))
    phone.sent = []
    reorder_url = reverse("listing-photos-reorder", args=[listing.pk])
    phone.on("request", lambda request: reorder_url in request.url and phone.sent.append(request))
    phone.tile = lambda photo: phone.locator(f"#photo-{photo.pk}")
    phone.shown = lambda: [int(pk) for pk in phone.eval_on_selector_all(
        ".photo-tile", "tiles => tiles.map(tile => tile.dataset.photoId)")]
    return phone, photos


def saved_order(listing):
    return list(listing.photos.values_list("pk", flat=True))


def test_a_drag_that_changes_nothing_sends_nothing(manager, listing):
    page, photos = manager
    page.tile(photos[0]).drag_to(page.tile(photos[1]), target_position={"x": 5, "y": 5})
    page.wait_for_timeout(500)
    assert page.sent == [] and page.shown() == [photo.pk for photo in photos]


def test_a_drag_saves_the_new_order(manager, listing):
    page, photos = manager
    with page.expect_navigation():  # reloaded once saved
        page.tile(photos[2]).drag_to(page.tile(photos[0]), target_position={"x": 5, "y": 5})
    assert saved_order(listing) == [photos[2].pk, photos[0].pk, photos[1].pk]
    assert page.shown() == saved_order(listing)


def test_a_refused_reorder_is_shown_and_the_tiles_go_back(manager, listing):
    page, photos = manager
    Photo.objects.filter(pk=photos[1].pk).delete()  # in another tab: this page is now stale
    page.tile(photos[2]).drag_to(page.tile(photos[0]), target_position={"x": 5, "y": 5})
    page.locator(".upload-errors li").wait_for()
    assert "exactly once" in page.inner_text(".upload-errors")
    assert len(page.sent) == 1
    assert page.shown() == [photo.pk for photo in photos]  # as before the drag, not reloaded
    assert saved_order(listing) == [photos[0].pk, photos[2].pk]


def test_a_drag_let_go_outside_the_photos_puts_them_back_and_sends_nothing(manager, listing):
    page, photos = manager
    page.set_viewport_size({"width": 1024, "height": 1600})  # tiles and heading all in view
    page.evaluate("""window.moved = false; new MutationObserver(() => { window.moved = true; })
                     .observe(document.querySelector('.photo-grid'), {childList: true})""")
    start, first = (page.tile(photo).bounding_box() for photo in (photos[2], photos[0]))
    heading = page.locator("h1").bounding_box()
    page.mouse.move(start["x"] + 20, start["y"] + 20)
    page.mouse.down()
    for box in (start, first, heading):  # over the first tile (the tiles make room), then off
        page.mouse.move(box["x"] + 5, box["y"] + 5, steps=5)
    page.mouse.up()
    page.wait_for_timeout(500)
    assert page.evaluate("window.moved")
    assert page.sent == [] and page.shown() == [photo.pk for photo in photos]


def test_a_drag_in_many_mouse_steps_saves_the_new_order(manager, listing):
    """As a hand drags: once the dragged tile has moved under the pointer, the pointer is over
    the dragged tile itself for the rest of the drag, and the drop must still be accepted."""
    page, photos = manager
    page.set_viewport_size({"width": 1024, "height": 1600})  # all the tiles in view
    start, first = (page.tile(photo).bounding_box() for photo in (photos[2], photos[0]))
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    with page.expect_navigation(timeout=10_000):  # reloaded once saved
        page.mouse.move(first["x"] + 10, first["y"] + first["height"] / 2, steps=10)
        page.mouse.move(first["x"] + 12, first["y"] + first["height"] / 2, steps=2)  # a jitter
        page.mouse.up()
    assert len(page.sent) == 1
    assert saved_order(listing) == [photos[2].pk, photos[0].pk, photos[1].pk]
    assert page.shown() == saved_order(listing)


def test_the_move_buttons_that_cannot_move_look_disabled(manager, listing):
    page, photos = manager
    style = "button => [getComputedStyle(button).opacity, getComputedStyle(button).cursor]"
    first_up = page.tile(photos[0]).locator("button[title='Move earlier']")
    first_down = page.tile(photos[0]).locator("button[title='Move later']")
    assert first_up.is_disabled() and first_down.is_enabled()
    assert first_down.evaluate(style) == ["1", "pointer"]
    opacity, cursor = first_up.evaluate(style)
    assert float(opacity) < 0.6 and cursor == "default"
