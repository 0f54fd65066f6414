"""How often one client may search by photo: each search runs the CNN. One limit, counted once,
for the web page and the API, in Django's cache (Redis), so that it holds across processes."""
import logging
import math

import redis
from rest_framework.throttling import UserRateThrottle

logger = logging.getLogger(__name__)


class ImageSearchThrottle(UserRateThrottle):
    """At most this many photo searches per user (or IP address when signed out: REMOTE_ADDR, or
    the address REST_FRAMEWORK's NUM_PROXIES picks from X-Forwarded-For)."""

    scope = "image_search"
    rate = "30/minute"

    def allow_request(self, request, view) -> bool:
        """Counted in the cache; while Redis cannot be reached, searches go on uncounted."""
        try:
            return super().allow_request(request, view)
        except (redis.ConnectionError, redis.TimeoutError) as error:
            logger.warning("Photo searches are not being limited: the cache is unreachable (%s)",
                           error)
            return True


def photo_search_wait(request) -> int | None:
    """Count a photo search by `request`'s client (a Django request: the web page; the API uses
    the throttle as its `throttle_classes`). None when it may run now, else the seconds to wait."""
    throttle = ImageSearchThrottle()
    if throttle.allow_request(request, None):
        return None
    return math.ceil(throttle.wait() or throttle.duration)
