"""Real vs synthetic embeddings: the statistics that govern ANN difficulty.

    .venv/bin/python bench/embedding_stats.py --fit   # embed /work/shared/data, refit the model

Embeds the grocery and clothing photos with the shipped engine (cached in
`.local/real_embeddings.npz`), fits the calibrated generator to grocery (coarse class →
category, fine class → kind of item, photos around their class mean) with `--fit`, then
compares real and synthetic sets of the same size and shape. Writes
`bench/results/embedding_stats.json`.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `vision`, `bench` importable
from bench.common import ROOT  # noqa: E402
from bench.vector_data import (  # noqa: E402
    GENERATORS, MODEL_PATH, Shape, difficulty, fit_levels, spectrum)

DATA = Path("/work/shared/data")
CACHE = ROOT / ".local" / "real_embeddings.npz"
RESULTS = ROOT / "bench" / "results" / "embedding_stats.json"


def photo_lists() -> dict[str, tuple[list[Path], dict[str, np.ndarray]]]:
    grocery, coarse, fine = [], [], []
    for split in ("train.txt", "val.txt"):
        for line in (DATA / "grocery" / split).read_text().splitlines():
            path, fine_id, coarse_id = (part.strip() for part in line.split(","))
            grocery.append(DATA / "grocery" / path)
            fine.append(int(fine_id))
            coarse.append(int(coarse_id))
    with open(DATA / "clothing" / "labels.csv") as handle:
        rows = list(csv.DictReader(handle))
    labels = sorted({row["label"] for row in rows})
    clothing = [DATA / "clothing" / "images" / row["image"] for row in rows]
    return {"grocery": (grocery, {"coarse": np.array(coarse), "fine": np.array(fine)}),
            "clothing": (clothing, {"coarse": np.array([labels.index(r["label"]) for r in rows])})}


def real_embeddings() -> dict[str, np.ndarray]:
    """Embeddings and labels per data set (the engine's output, unit vectors), cached."""
    if CACHE.exists():
        with np.load(CACHE) as cached:
            return dict(cached)
    from tqdm import tqdm

    from vision.engine import Engine

    engine, arrays = Engine(), {}
    for name, (paths, labels) in photo_lists().items():
        results = []
        for start in tqdm(range(0, len(paths), 64), desc=name):
            results.extend(engine.run(paths[start:start + 64]))
        ok = np.array([result.ok for result in results])
        arrays[name] = np.stack([result.embedding for result in results if result.ok])
        arrays |= {f"{name}_{key}": value[ok] for key, value in labels.items()}
    CACHE.parent.mkdir(exist_ok=True)
    np.savez(CACHE, **arrays)
    return arrays


def describe(vectors: np.ndarray) -> dict:
    return {"n": len(vectors)} | difficulty(vectors, vectors, exclude_self=True) | spectrum(vectors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fit", action="store_true", help=f"refit {MODEL_PATH.name}")
    args = parser.parse_args()
    real = real_embeddings()
    if args.fit:
        np.savez_compressed(MODEL_PATH, **fit_levels(real["grocery"], real["grocery_coarse"],
                                                     real["grocery_fine"]))
    with np.load(MODEL_PATH) as model:
        ranks = {level: len(model[level]) for level in ("category", "kind", "photo")}
    report = {"fitted_on": "grocery (coarse class → category, fine class → kind)",
              "factor_ranks": ranks,
              "real_grocery": describe(real["grocery"]),
              "real_clothing": describe(real["clothing"])}
    # Synthetic sets in grocery's shape: as many photos, kinds (fine classes) and categories.
    shape = Shape(n=len(real["grocery"]), kinds=len(np.unique(real["grocery_fine"])),
                  categories=len(np.unique(real["grocery_coarse"])))
    for name, generator in GENERATORS.items():
        rng = np.random.default_rng(0)
        vectors, _ = generator(shape, rng).sample(shape.n, rng)
        report[f"{name}_grocery_shape"] = describe(vectors)
    # As the search bench generates them: 200 photos per kind, 20 categories, fresh queries.
    for n in (100_000, 1_000_000):
        for name, generator in GENERATORS.items():
            rng = np.random.default_rng(0)
            data = generator(Shape(n=n, kinds=n // 200, categories=20), rng)
            vectors, _ = data.sample(n, rng)
            report[f"{name}_{n // 1000}k"] = {"n": n} | difficulty(
                vectors, data.sample(200, rng)[0]) | spectrum(vectors)
    for name, figures in report.items():
        print(f"{name:<28} {figures}")
    RESULTS.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
