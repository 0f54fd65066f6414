"""The search bench's data statistics and generators (bench/vector_data.py)."""
import numpy as np
import pytest

from bench.vector_data import covariance_factor, difficulty, spectrum, unit


def points_in_subspace(dimensions: int, count: int, rng) -> np.ndarray:
    basis = np.linalg.qr(rng.standard_normal((256, dimensions)))[0].T
    return unit(rng.standard_normal((count, dimensions)) @ basis)


@pytest.mark.parametrize("dimensions", [4, 12])
def test_local_intrinsic_dimension_finds_the_dimension_of_the_data(dimensions):
    rng = np.random.default_rng(0)
    vectors = points_in_subspace(dimensions, 4000, rng)
    lid = difficulty(vectors, vectors[:200], exclude_self=True)["lid_median"]
    # Unit vectors in a d-dim subspace lie on a (d-1)-sphere; the MLE is biased low at k=20.
    assert dimensions - 3 <= lid <= dimensions + 1


def test_spectrum_counts_the_directions_that_hold_the_variance():
    rng = np.random.default_rng(1)
    figures = spectrum(points_in_subspace(10, 3000, rng))
    assert figures["components_99pct"] <= 10 and 7 <= figures["participation_ratio"] <= 10


def test_covariance_factor_reproduces_the_covariance_it_was_fitted_to():
    rng = np.random.default_rng(2)
    mixing = rng.standard_normal((6, 256)) * np.arange(1, 7)[:, None]
    deviations = rng.standard_normal((5000, 6)) @ mixing
    factor = covariance_factor(deviations - deviations.mean(axis=0))
    assert len(factor) == 6  # the data spans 6 directions
    covariance = np.cov(deviations, rowvar=False)
    assert np.allclose(factor.T @ factor, covariance, atol=1e-4 * np.abs(covariance).max())
