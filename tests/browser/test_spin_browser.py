"""A buyer opens a listing in headless Chromium and drags the rotating view."""
from pathlib import Path

import pytest

from marketplace.spins import services
from tests.spins.conftest import (burst_pngs, finished_spin, listing,  # noqa: F401 (fixtures)
                                  media_root, seller)

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

# The live server serves uploaded media as `make run` does.
pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.photos.urls_serving_media")]


# WebGL through SwiftShader (software GL), and the 2D fallback that must work without WebGL.
@pytest.mark.parametrize("renderer, flags", [
    ("webgl", ["--use-angle=swiftshader", "--enable-unsafe-swiftshader"]),
    ("image", ["--disable-webgl"]),
])
def test_dragging_the_viewer_turns_the_item(transactional_db, new_page,
                                            media_root, listing, seller, finished_spin,
                                            renderer, flags):
    spin = finished_spin()
    services.publish_spin(spin, seller)
    page = new_page(width=412, height=900, args=flags)
    page.open(listing.get_absolute_url())
    viewer = page.locator(".spin-viewer.spin-ready")
    viewer.wait_for(timeout=10_000)
    assert viewer.get_attribute("data-renderer") == renderer
    page.wait_for_function(  # every display frame loaded (after the low-res sprite)
        "document.querySelector('.spin-viewer').spinViewer.images.every(i => i && i.src)",
        timeout=10_000)
    before = int(viewer.get_attribute("data-frame"))
    box = viewer.bounding_box()
    x, y = box["x"] + box["width"] * 0.7, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - box["width"] * 0.4, y, steps=8)
    page.mouse.up()
    # Well before autoplay could start (3 s idle), the drag alone has turned the item.
    page.wait_for_function(
        f"document.querySelector('.spin-viewer').dataset.frame !== '{before}'", timeout=1500)
    after = int(viewer.get_attribute("data-frame"))
    assert (after - before) % 12 in range(1, 12)
    assert viewer.get_attribute("aria-valuetext").endswith("°")
    page.keyboard.press("Tab")  # the viewer is reachable and turns with the arrow keys
    viewer.focus()
    current = int(viewer.get_attribute("data-frame"))
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        f"document.querySelector('.spin-viewer').dataset.frame !== '{current}'", timeout=1500)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"spin-viewer-{renderer}.png"), full_page=True)
    page.mouse.move(x, y)
    page.mouse.wheel(0, -400)  # focused, scroll zooms in and fetches the zoom renditions
    page.wait_for_function("document.querySelector('.spin-viewer').spinViewer.zoom > 1.5 && "
                           "document.querySelector('.spin-viewer').spinViewer.zoomLoaded")


def test_the_page_scrolls_past_the_viewer_which_rests_off_screen(
        transactional_db, new_page,
        media_root, listing, seller, finished_spin):  # noqa: F811 (fixtures imported above)
    """A plain wheel over the viewer scrolls the page (Ctrl + wheel zooms), and autoplay waits
    while the viewer is out of sight."""
    services.publish_spin(finished_spin(), seller)
    viewer_js = "document.querySelector('.spin-viewer').spinViewer"
    page = new_page(width=412, height=600, args=["--disable-webgl"])
    page.open(listing.get_absolute_url())
    viewer = page.locator(".spin-viewer.spin-ready")
    viewer.wait_for(timeout=10_000)
    page.evaluate("document.body.style.paddingBottom = '3000px'")  # room to scroll past it

    def wheel_over_viewer(delta_y: int) -> int:
        """Scroll the viewer into sight, turn the wheel over it; the page's scrollY before."""
        viewer.scroll_into_view_if_needed()
        box = viewer.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        before = page.evaluate("window.scrollY")
        page.mouse.wheel(0, delta_y)
        return before

    before = wheel_over_viewer(300)
    page.wait_for_function(f"window.scrollY > {before}", timeout=2000)
    assert page.evaluate(f"{viewer_js}.zoom") == 1

    page.keyboard.down("Control")
    before = wheel_over_viewer(-400)
    page.keyboard.up("Control")
    page.wait_for_function(f"{viewer_js}.zoom > 1", timeout=2000)
    assert page.evaluate("window.scrollY") == before

    page.evaluate(f"{viewer_js}.setZoom(1); window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_timeout(4000)  # idle for longer than the 3 s before autoplay
    resting = page.evaluate(f"{viewer_js}.position")
    page.wait_for_timeout(1000)
    assert page.evaluate(f"{viewer_js}.position") == resting
    viewer.scroll_into_view_if_needed()
    page.wait_for_function(f"{viewer_js}.position !== {resting}", timeout=2000)
