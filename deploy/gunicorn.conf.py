"""gunicorn's settings for the web service (the image's CMD and the compose file's web command).

    gunicorn marketplace.wsgi:application --config deploy/gunicorn.conf.py
"""
import threading

bind = "0.0.0.0:8000"
workers = 3
timeout = 120
accesslog = "-"


def post_worker_init(worker):
    """Load the vision engine in the background as each worker starts: else the first photo
    search a worker serves waits for it (~2 s on a 2-core CPU). A search that comes sooner
    waits for the same load (the engine is loaded once per process, under a lock)."""
    from marketplace.search.engine import get_engine

    threading.Thread(target=get_engine, name="vision-engine-warm-up", daemon=True).start()
