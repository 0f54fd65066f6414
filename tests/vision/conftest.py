"""Fixtures for the vision tests: no database, no Django models; real trunk weights."""
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def engine():
    from vision.engine import Engine

    return Engine(device="cpu")


@pytest.fixture(scope="session")
def photos() -> dict[str, Path]:
    return {path.stem: path for path in sorted(DATA.glob("*.jpg"))}
