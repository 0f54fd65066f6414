"""Celery wiring: queues come from CELERY_TASK_ROUTES, beat runs the photo reconciler."""
import subprocess
import sys

from django.conf import settings

from worker.app import app
from worker.tasks import photos


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_tasks_are_routed_by_area():
    assert queue_of(photos.make_renditions.name) == "default"
    assert queue_of("worker.vision.tag_photo") == "vision"
    assert queue_of("worker.spins.stitch") == "vision"
    assert queue_of("worker.ping") == settings.CELERY_TASK_DEFAULT_QUEUE


def test_beat_runs_the_photo_reconciler_every_few_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["requeue-stale-pending-photos"]
    assert entry["task"] == photos.requeue_stale_pending.name
    assert 60 <= entry["schedule"] <= 600
    assert queue_of(entry["task"]) == "default"


def test_loading_the_tasks_raises_no_celery_deprecation_warning():
    """Task attributes such as `queue=` are deprecated (Celery 6 ignores them)."""
    code = ("import warnings; from celery.exceptions import CDeprecationWarning; "
            "warnings.simplefilter('error', CDeprecationWarning); "
            "from worker.app import app; import worker.tasks; app.finalize(auto=True); "
            "print(sorted(app.tasks))")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR,
                            capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    assert "worker.photos.make_renditions" in loaded.stdout


def test_tasks_reuse_a_working_database_connection_and_drop_a_broken_one(transactional_db):
    from django.db import connection

    from worker.app import close_old_database_connections

    assert app.conf.db_reuse_max  # else Celery's Django fixup closes it around every task
    connection.ensure_connection()
    working = connection.connection
    close_old_database_connections(task=photos.make_renditions)
    assert connection.connection is working
    working.close()  # the server went away: the next query fails and marks the error
    connection.errors_occurred = True
    close_old_database_connections(task=photos.make_renditions)
    assert connection.connection is None
