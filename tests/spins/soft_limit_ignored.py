"""The project's Celery app in a worker whose task processes ignore the soft time limit (the
signal that raises SoftTimeLimitExceeded), as a process stuck in C code does: a task that runs
long reaches the hard time limit. For `celery -A tests.spins.soft_limit_ignored worker`."""
import signal

from celery.signals import task_prerun

from worker.app import app  # noqa: F401  (what `celery -A` looks for)


@task_prerun.connect
def ignore_the_soft_time_limit(**_kwargs) -> None:
    """Run in the task's process, after the pool installed its soft time limit handler."""
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)
