"""The project's Celery app in a worker whose stitching hangs where the soft time limit cannot
interrupt it (as in a long call into C code), so that the hard time limit ends it.
For `celery -A tests.spins.stuck_worker worker`."""
import signal
import time

import vision.spin.pipeline as pipeline
from worker.app import app  # noqa: F401  (what `celery -A` looks for)


def stuck_build_spin(*args, **kwargs):
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)  # the soft time limit's signal
    time.sleep(600)


pipeline.build_spin = stuck_build_spin  # what the task calls
