"""For tests that race two real Postgres connections."""
import threading
import time
from collections.abc import Callable

from django.db import connection


def race(holds: Callable[[Callable[[], None]], None], waits: Callable[[], None]) -> list:
    """Run `holds(pause)` in a thread of its own; once it calls `pause()` (with its locks
    taken), run `waits()` in another, and when that is blocked on a lock let `holds` go on.
    Each runs on its own connection; returns the exceptions they raised."""
    paused, release, errors = threading.Event(), threading.Event(), []

    def pause() -> None:
        paused.set()
        release.wait(10)

    def run(work, *args) -> None:
        try:
            work(*args)
        except Exception as exc:  # returned, for the test's thread to report
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(holds, pause)),
               threading.Thread(target=run, args=(waits,))]
    threads[0].start()
    if not paused.wait(10):
        raise TimeoutError("the first side never paused")
    threads[1].start()
    wait_for_a_blocked_query()
    release.set()
    for thread in threads:
        thread.join(20)
    return errors


def wait_for_a_blocked_query(timeout: float = 10) -> None:
    """Return once some query waits for a lock another transaction holds, or after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
