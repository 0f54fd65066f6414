"""The project's Celery app in a worker whose task process dies, as when it runs out of memory,
whenever the model is given a photo whose file ends in b"poison".
For `celery -A tests.search.dying_worker worker`."""
import os

import marketplace.search.engine as engine_module
from worker.app import app  # noqa: F401  (what `celery -A` looks for)

real_get_engine = engine_module.get_engine


class DyingEngine:
    def __init__(self, engine):
        self.engine, self.model_version = engine, engine.model_version

    def run(self, images):
        if any(image.endswith(b"poison") for image in images):
            os._exit(137)  # no cleanup, no rollback sent: the connection just drops
        return self.engine.run(images)


def get_engine() -> DyingEngine:
    return DyingEngine(real_get_engine())


engine_module.get_engine = get_engine  # what the task calls
