"""The committed viewer bundle is exactly what `npm ci && npm run build` makes from the source."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "frontend" / "js"
BUNDLE = ROOT / "frontend" / "static" / "spin" / "viewer.js"


def test_committed_bundle_matches_a_fresh_build(tmp_path):
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("node/npm are not installed: the committed bundle cannot be rebuilt here")
    for name in ["package.json", "package-lock.json", "spin-viewer.js"]:
        shutil.copy(SOURCE / name, tmp_path / name)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=tmp_path,
                   check=True, timeout=300)
    rebuilt = tmp_path / "viewer.js"
    subprocess.run(["npm", "run", "build", "--silent"], cwd=tmp_path, check=True, timeout=120,
                   env={**os.environ, "OUTFILE": str(rebuilt)})
    assert rebuilt.read_bytes() == BUNDLE.read_bytes(), \
        "frontend/static/spin/viewer.js is stale: run `npm run build` in frontend/js and commit it"
