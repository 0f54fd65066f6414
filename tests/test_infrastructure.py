from django.db import connection

from worker.tasks import ping


def test_pgvector_extension_is_enabled(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        (version,) = cursor.fetchone()
    major, minor = (int(part) for part in version.split(".")[:2])
    assert (major, minor) >= (0, 8)


def test_vector_distance_runs_in_the_database(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT '[1,0,0]'::vector <=> '[0,1,0]'::vector")
        (distance,) = cursor.fetchone()
    assert distance == 1.0


def test_celery_task_runs_inline():
    assert ping.apply().get() == "pong"


def test_a_real_worker_process_runs_tasks(celery_worker_process):
    assert ping.delay().get(timeout=30) == "pong"
