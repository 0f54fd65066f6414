"""`make run` (deploy/devstack.py run) for real: its own Postgres, Redis, worker and web in a
state folder of its own, stopped by Ctrl-C, then started again on the same state."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
DEMO_TITLE = "Purple cotton T-shirt"  # the first (newest) listing of marketplace/listings/demo/listings.yaml
# The test session's own services and storages must not leak into the stack under test.
SESSION_ONLY = ("DATABASE_URL", "REDIS_URL", "DJANGO_MEDIA_ROOT", "DJANGO_PRIVATE_MEDIA_ROOT",
                "DJANGO_STATIC_ROOT")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def devstack_env(state: Path, address: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in SESSION_ONLY}
    return dict(env, SHOPLENS_LOCAL_DIR=str(state), SHOPLENS_WEB_ADDRESS=address)


def get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode() if response.status == 200 else None
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def postmaster_pid(state: Path) -> int | None:
    pidfile = state / "pgdata" / "postmaster.pid"
    return int(pidfile.read_text().split()[0]) if pidfile.exists() else None


def run_until_up_then_interrupt(state: Path, port: int, log: Path) -> int:
    """Start `devstack.py run`, wait for the home page with demo listings, press Ctrl-C; check
    that everything it started is gone. Returns how many listings the API reported."""
    address = f"127.0.0.1:{port}"
    with open(log, "a") as output:
        devstack = subprocess.Popen([sys.executable, "deploy/devstack.py", "run"], cwd=ROOT,
                                    env=devstack_env(state, address), stdout=output,
                                    stderr=subprocess.STDOUT)
    started: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 45
        while DEMO_TITLE not in (get(f"http://{address}/") or ""):
            assert devstack.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"not up after 45 s:\n{log.read_text()}"
            time.sleep(0.25)
        listings = json.loads(get(f"http://{address}/api/v1/listings/"))["count"]
        started = psutil.Process(devstack.pid).children(recursive=True)
        started.append(psutil.Process(postmaster_pid(state)))
        commands = [" ".join(process.cmdline()) for process in started]
        for program in ("redis-server", "celery -A worker worker -B", "runserver", "postgres"):
            assert any(program in command for command in commands), (program, commands)
        assert list(state.glob("celerybeat-schedule*")), "beat did not start with the worker"

        devstack.send_signal(signal.SIGINT)  # what Ctrl-C sends
        assert devstack.wait(timeout=30) == 0, log.read_text()
        _, alive = psutil.wait_procs(started, timeout=10)
        assert not alive, [" ".join(process.cmdline()) for process in alive]
        assert port_is_free(port)
        assert postmaster_pid(state) is None
        return listings
    finally:  # only after a failure is anything left
        if devstack.poll() is None:
            devstack.kill()
        for process in started:
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass


def test_make_run_serves_stops_on_ctrl_c_and_starts_again(tmp_path):
    state, log = tmp_path / "state", tmp_path / "devstack.log"
    first = run_until_up_then_interrupt(state, free_port(), log)
    assert first >= 24
    second = run_until_up_then_interrupt(state, free_port(), log)
    assert second == first  # demo data is not added twice


def test_make_run_refuses_a_taken_port_before_starting_anything(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        state = tmp_path / "state"
        result = subprocess.run([sys.executable, "deploy/devstack.py", "run"], cwd=ROOT,
                                env=devstack_env(state, f"127.0.0.1:{port}"),
                                capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert f"port {port} is already in use" in result.stderr
    assert "make run WEB_ADDRESS=" in result.stderr and "SHOPLENS_WEB_ADDRESS" in result.stderr
    assert not state.exists()  # nothing was started

