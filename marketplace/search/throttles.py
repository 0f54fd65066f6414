"""How often one client may search by photo: each search runs the CNN. One limit, counted once,
for the web page and the API, in Django's cache (Redis), so that it holds across processes."""
import logging
import math

import redis
from rest_framework.throttling import UserRateThrottle

logger = logging.getLogger(__name__)


class ImageSearchThrottle(UserRateThrottle):
    """At most this many photo searches per user (or IP address when signed out: REMOTE_ADDR, or
    the address REST_FRAMEWORK's NUM_PROXIES picks from X-Forwarded-For).

    Fixed windows: a client's first search opens a window of the rate's period (a minute for
    "30/minute"); every search in it, refused ones too, adds one to the window's count, and once
    the window has ended the next search opens a new one (so a period that straddles two windows
    can see up to twice the rate). Each search is counted in one Redis transaction (create the
    counter with its expiry unless it exists, INCR it, read its time to live): parallel searches
    cannot share a count, as they could with DRF's read-then-write history list."""

    scope = "image_search"
    rate = "30/minute"
    # Not DRF's key: that one may still hold a history list, which INCR would refuse.
    cache_format = "throttle_%(scope)s_window_%(ident)s"

    def allow_request(self, request, view) -> bool:
        """Counted in the cache; while Redis cannot be reached, searches go on uncounted."""
        key = self.cache.make_key(self.get_cache_key(request, view))
        try:
            # The redis-py client of Django's RedisCache: its server and connections.
            with self.cache._cache.get_client(write=True).pipeline() as transaction:
                transaction.set(key, 0, ex=self.duration, nx=True).incr(key).pttl(key)
                _, count, self.window_left_ms = transaction.execute()
        except (redis.ConnectionError, redis.TimeoutError) as error:
            logger.warning("Photo searches are not being limited: the cache is unreachable (%s)",
                           error)
            return True
        return count <= self.num_requests

    def wait(self) -> float:
        """Seconds until the client's current window ends."""
        return self.window_left_ms / 1000


def photo_search_wait(request) -> int | None:
    """Count a photo search by `request`'s client (a Django request: the web page; the API uses
    the throttle as its `throttle_classes`). None when it may run now, else the seconds to wait."""
    throttle = ImageSearchThrottle()
    if throttle.allow_request(request, None):
        return None
    return math.ceil(throttle.wait())
