"""For tests that race two real Postgres connections."""
import time

from django.db import connection


def wait_for_a_blocked_query(timeout: float = 10) -> None:
    """Return once some query waits for a lock another transaction holds, or after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
