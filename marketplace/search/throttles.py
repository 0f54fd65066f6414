"""How often one client may search by photo: each search runs the CNN. One limit, counted once,
for the web page and the API, in Django's cache (Redis), so that it holds across processes."""
import math

from rest_framework.throttling import UserRateThrottle


class ImageSearchThrottle(UserRateThrottle):
    """At most this many photo searches per user (or IP address when signed out)."""

    scope = "image_search"
    rate = "30/minute"


def photo_search_wait(request) -> int | None:
    """Count a photo search by `request`'s client (a Django request: the web page; the API uses
    the throttle as its `throttle_classes`). None when it may run now, else the seconds to wait."""
    throttle = ImageSearchThrottle()
    if throttle.allow_request(request, None):
        return None
    return math.ceil(throttle.wait() or throttle.duration)
