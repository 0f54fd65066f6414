"""One vision `Engine` per process, loaded on first use.

`vision` (and torch with it) is imported here lazily, so importing Django apps, URLconfs or the
task modules never loads the model; only a worker running a task or a search-by-photo request
does, once.
"""
from __future__ import annotations

import functools
import threading

_lock = threading.Lock()


@functools.cache
def _engine_unlocked():
    from vision.engine import Engine

    return Engine()


def get_engine():
    """The process-wide Engine (threads of one web process share it)."""
    with _lock:
        return _engine_unlocked()
