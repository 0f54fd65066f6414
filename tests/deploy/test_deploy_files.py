"""Docker cannot run here, so check what can be checked: the compose file parses, its services
are wired to each other and to settings that exist, and the Dockerfile does the agreed steps."""
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
APP_SERVICES = ("web", "worker", "beat")


class ComposeLoader(yaml.SafeLoader):
    """YAML plus compose's `!reset` tag (used by the CPU override)."""


ComposeLoader.add_constructor("!reset", lambda loader, node: {"!reset": True})


def load(name: str) -> dict:
    return yaml.load((DEPLOY / name).read_text(), Loader=ComposeLoader)


def interpolate(value: str) -> str:
    """Compose's ${VAR:-default} with no VAR set."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


@pytest.fixture(scope="module")
def compose():
    return load("docker-compose.yml")


def settings_environment_names() -> set[str]:
    source = (ROOT / "marketplace" / "settings.py").read_text()
    return set(re.findall(r'(?:environ\.get|env_bool|env_list)\(\s*"([A-Z_0-9]+)"', source))


def test_services(compose):
    assert set(compose["services"]) == {"postgres", "redis", "web", "worker", "beat"}
    assert compose["services"]["postgres"]["image"] == "pgvector/pgvector:pg16"
    assert compose["services"]["redis"]["image"].startswith("redis:")


def test_app_services_reach_postgres_and_redis_by_service_name(compose):
    postgres = compose["services"]["postgres"]["environment"]
    for name in APP_SERVICES:
        env = compose["services"][name]["environment"]
        database = urlsplit(interpolate(env["DATABASE_URL"]))
        assert database.scheme == "postgres" and database.hostname == "postgres"
        assert database.path.lstrip("/") == postgres["POSTGRES_DB"]
        assert database.username == postgres["POSTGRES_USER"]
        assert database.password == interpolate(postgres["POSTGRES_PASSWORD"])
        assert urlsplit(env["REDIS_URL"]).hostname == "redis"
        depends = compose["services"][name]["depends_on"]
        assert {service: rule["condition"] for service, rule in depends.items()} == {
            "postgres": "service_healthy", "redis": "service_healthy"}
        for dependency in depends:
            assert "healthcheck" in compose["services"][dependency]


def test_every_app_variable_is_one_the_settings_read(compose):
    known = settings_environment_names()
    assert {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY"} <= known
    for name in APP_SERVICES:
        assert set(compose["services"][name]["environment"]) <= known


def test_web_and_worker_share_the_media_and_private_folders(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        mounts = dict(volume.split(":")[:2] for volume in service["volumes"])
        assert mounts["media"] == service["environment"]["DJANGO_MEDIA_ROOT"]
        assert mounts["private"] == service["environment"]["DJANGO_PRIVATE_MEDIA_ROOT"]
        # Originals must not sit inside the folder Django serves.
        assert not (mounts["private"] + "/").startswith(mounts["media"] + "/")
    assert {"media", "private"} <= set(compose["volumes"])


def test_beat_runs_the_schedule_in_its_own_service(compose):
    command = compose["services"]["beat"]["command"]
    assert command[:4] == ["celery", "-A", "worker", "beat"]
    # The image runs as an unprivileged user who cannot write to /app: keep the file in /tmp.
    assert command[command.index("--schedule") + 1].startswith("/tmp/")
    assert "-B" not in compose["services"]["worker"]["command"]  # one beat only


def test_web_migrates_then_serves_with_gunicorn(compose):
    command = compose["services"]["web"]["command"]
    assert command.index("manage.py migrate") < command.index("gunicorn marketplace.wsgi")
    assert "--config deploy/gunicorn.conf.py" in command


def test_gunicorn_workers_load_the_vision_engine_as_they_start(monkeypatch):
    import importlib.util
    import threading

    from marketplace.search import engine

    spec = importlib.util.spec_from_file_location("gunicorn_conf", DEPLOY / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert (conf.bind, conf.workers) == ("0.0.0.0:8000", 3)
    loaded = threading.Event()
    monkeypatch.setattr(engine, "get_engine", loaded.set)
    conf.post_worker_init(worker=None)
    assert loaded.wait(timeout=5)


def test_worker_consumes_both_queues_with_an_optional_gpu(compose):
    worker = compose["services"]["worker"]
    command = worker["command"]
    assert command[:4] == ["celery", "-A", "worker", "worker"]
    assert command[command.index("--queues") + 1] == "default,vision"
    (device,) = worker["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and "gpu" in device["capabilities"]
    cpu_override = load("docker-compose.cpu.yml")
    assert cpu_override["services"]["worker"]["deploy"] == {"!reset": True}


def test_required_variables_are_in_the_example_env_file(compose):
    text = (DEPLOY / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Z_]+)", text))
    example = {line.split("=", 1)[0] for line in (DEPLOY / ".env.example").read_text().splitlines()
               if line and not line.startswith("#")}
    assert used <= example


def test_dockerfile_steps():
    lines = [line.strip() for line in (DEPLOY / "Dockerfile").read_text().splitlines()]
    instructions = [line for line in lines if line and not line.startswith("#")]
    assert instructions[0] == "FROM python:3.11-slim"
    text = "\n".join(instructions)
    torch = text.index("pip install torch==2.13.0 --index-url")
    assert torch < text.index("pip install -e .") < text.index("collectstatic --no-input")
    gunicorn = '"gunicorn", "marketplace.wsgi:application", "--config", "deploy/gunicorn.conf.py"'
    assert gunicorn in text
    assert "USER shoplens" in text
    assert "chown shoplens /app/media /app/private" in text  # the app writes to both volumes
