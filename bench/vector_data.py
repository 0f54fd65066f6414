"""Synthetic 256-d embeddings for the search benches, and the statistics that make ANN hard.

Two generators:

- `isotropic`: Gaussian noise of the same size in all 256 dimensions around random centres.
  In 256-d, such noise makes all distances inside a cluster nearly equal, so the true 10
  nearest neighbours are near-ties: a hard case, harder than real photo embeddings.
- `calibrated`: category → kind of item → photo, each level drawn with the covariance measured
  on the shipped model's real embeddings (`bench/embedding_stats.py --fit` writes
  `bench/results/real_embedding_model.npz`). The real covariances are low-rank and their
  spectra fall off fast, so this keeps the real data's low intrinsic dimension.

`difficulty()` measures what governs ANN difficulty on any set of vectors, so the two can be
compared with real embeddings.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

DIM = 256
MODEL_PATH = Path(__file__).resolve().parent / "results" / "real_embedding_model.npz"
LEVELS = ("category", "kind", "photo")


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@dataclass
class Shape:
    """How many vectors, kinds of item (clusters) and categories; 10% carry a wrong category."""

    n: int
    kinds: int
    categories: int
    off_category: float = 0.1


class Isotropic:
    """Unit vectors around random centres with isotropic noise (`spread` relative to the centre)."""

    def __init__(self, shape: Shape, rng: np.random.Generator, spread: float = 0.35):
        self.shape, self.spread = shape, spread
        self.centres = unit(rng.standard_normal((shape.kinds, DIM)))
        self.kind_category = rng.integers(0, shape.categories, shape.kinds)

    def sample(self, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        kind = rng.integers(0, self.shape.kinds, count)
        noise = rng.standard_normal((count, DIM)).astype(np.float32) * (self.spread / np.sqrt(DIM))
        return unit(self.centres[kind] + noise), with_off_category(self, kind, rng)


class Calibrated:
    """Category → kind → photo offsets drawn with the real embeddings' per-level covariances."""

    def __init__(self, shape: Shape, rng: np.random.Generator, model_path: Path = MODEL_PATH):
        self.shape = shape
        with np.load(model_path) as model:
            self.mean = model["mean"]
            self.factors = {level: model[level] for level in LEVELS}
        category_centres = self.mean + gaussian(self.factors["category"], shape.categories, rng)
        self.kind_category = rng.integers(0, shape.categories, shape.kinds)
        self.centres = (category_centres[self.kind_category]
                        + gaussian(self.factors["kind"], shape.kinds, rng))

    def sample(self, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        kind = rng.integers(0, self.shape.kinds, count)
        vectors = unit(self.centres[kind] + gaussian(self.factors["photo"], count, rng))
        return vectors, with_off_category(self, kind, rng)


GENERATORS = {"calibrated": Calibrated, "isotropic": Isotropic}


def gaussian(factor: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` draws of N(0, factorᵀ·factor); `factor` is (rank, DIM)."""
    return (rng.standard_normal((count, len(factor))).astype(np.float32) @ factor)


def with_off_category(generator, kind: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    categories = generator.kind_category[kind].copy()
    off = rng.random(len(kind)) < generator.shape.off_category
    categories[off] = rng.integers(0, generator.shape.categories, int(off.sum()))
    return categories


# -- fitting the calibrated generator to real embeddings ----------------------------------------

def covariance_factor(deviations: np.ndarray, keep: float = 0.999) -> np.ndarray:
    """(rank, DIM) factor F with Fᵀ·F ≈ the deviations' covariance, keeping `keep` of the
    variance."""
    covariance = deviations.T @ deviations / max(len(deviations) - 1, 1)
    values, vectors = np.linalg.eigh(covariance)
    values, vectors = np.clip(values[::-1], 0, None), vectors[:, ::-1]
    rank = int(np.searchsorted(np.cumsum(values) / values.sum(), keep)) + 1
    return (np.sqrt(values[:rank])[:, None] * vectors[:, :rank].T).astype(np.float32)


def fit_levels(embeddings: np.ndarray, category: np.ndarray, kind: np.ndarray) -> dict:
    """Mean and per-level covariance factors: category means around the mean, kind means around
    their category's mean, photos around their kind's mean."""
    mean = embeddings.mean(axis=0)
    category_means = {c: embeddings[category == c].mean(axis=0) for c in np.unique(category)}
    kind_means = {k: embeddings[kind == k].mean(axis=0) for k in np.unique(kind)}
    kind_category = {k: category[kind == k][0] for k in kind_means}
    return {
        "mean": mean.astype(np.float32),
        "category": covariance_factor(np.stack([m - mean for m in category_means.values()])),
        "kind": covariance_factor(np.stack([m - category_means[kind_category[k]]
                                            for k, m in kind_means.items()])),
        "photo": covariance_factor(embeddings - np.stack([kind_means[k] for k in kind])),
    }


# -- what makes ANN search hard -----------------------------------------------------------------

def difficulty(data: np.ndarray, queries: np.ndarray, k: int = 20,
               exclude_self: bool = False) -> dict:
    """Statistics of the queries' neighbourhoods in `data` (unit vectors, Euclidean distance).

    - lid: local intrinsic dimensionality, maximum-likelihood estimate on the k nearest
      neighbours (Levina & Bickel; Amsaleg et al. 2015), median over queries. Low = easy.
    - relative_contrast: mean distance to all points / distance to the nearest (He et al. 2012).
    - contrast_at_10: mean distance / distance to the 10th nearest.
    - gap_10_11: distance to the 11th / to the 10th nearest; near 1.0 = near-ties at the cut.
    `exclude_self` drops each query's zero distance to itself (queries taken from `data`).
    """
    lids, contrast, contrast10, gaps = [], [], [], []
    step = max(1, 2 ** 24 // len(data))  # distance matrices of ≤ 64 MB
    for start in range(0, len(queries), step):
        chunk = queries[start:start + step]
        distances = np.sqrt(np.clip(2 - 2 * chunk @ data.T, 0, None))
        nearest = np.sort(np.partition(distances, k + 1, axis=1)[:, :k + 2], axis=1)
        nearest = nearest[:, 1:] if exclude_self else nearest[:, :-1]
        nearest = np.maximum(nearest, 1e-6)
        lids.extend(-1 / np.mean(np.log(nearest[:, :k] / nearest[:, [k - 1]]), axis=1))
        mean = distances.sum(axis=1) / (distances.shape[1] - exclude_self)  # self adds 0
        contrast.extend(mean / nearest[:, 0])
        contrast10.extend(mean / nearest[:, 9])
        gaps.extend(nearest[:, 10] / nearest[:, 9])
    return {"lid_median": float(np.median(lids)),
            "relative_contrast_median": float(np.median(contrast)),
            "contrast_at_10_median": float(np.median(contrast10)),
            "gap_10_11_median": float(np.median(gaps)), "k": k}


def spectrum(vectors: np.ndarray) -> dict:
    """PCA: components holding 50/90/99% of the variance, and the participation ratio
    (Σλ)²/Σλ², an effective number of dimensions."""
    centred = vectors - vectors.mean(axis=0)
    values = np.clip(np.linalg.eigvalsh(centred.T @ centred / len(vectors))[::-1], 0, None)
    share = np.cumsum(values) / values.sum()
    return {f"components_{int(p * 100)}pct": int(np.searchsorted(share, p)) + 1
            for p in (0.5, 0.9, 0.99)} | {
        "participation_ratio": float(values.sum() ** 2 / (values ** 2).sum())}
