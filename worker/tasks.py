"""Celery tasks: the only place where the marketplace and the vision code meet."""
from .app import app


@app.task(name="worker.ping", ignore_result=False)
def ping() -> str:
    """Round-trip check used by health checks and tests."""
    return "pong"
