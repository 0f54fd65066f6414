"""The Celery app. Settings come from Django's (`CELERY_*`); tasks live in `worker.tasks`."""
import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

app = Celery("shoplens")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["worker"], related_name="tasks")


@task_prerun.connect
@task_postrun.connect
def close_old_database_connections(task, **kwargs) -> None:
    """Around each task a worker runs, close the connections that are broken or older than
    CONN_MAX_AGE, as Django does around each request; the others are kept
    (CELERY_DB_REUSE_MAX), so a task does not pay for a new Postgres connection. A task run
    inline (`apply`, eager mode) shares its caller's connection and transaction: left alone."""
    from django.db import close_old_connections

    if not task.request.is_eager:
        close_old_connections()
