"""Celery tasks: the only place where the marketplace and the vision code meet.

One module per area; each is imported here so the worker registers its tasks. Task bodies import
`vision` lazily so the web process (which enqueues by importing these modules) never loads torch.
"""
from ..app import app


@app.task(name="worker.ping", ignore_result=False)
def ping() -> str:
    """Round-trip check used by health checks and tests."""
    return "pong"


# The area modules import `app` from above, so they come after it.
from . import photos  # noqa: E402,F401  (renditions, re-queue of lost photos)
from . import spins  # noqa: E402,F401  (rotating views)
from . import vision  # noqa: E402,F401  (search: tag and embed photos)
