"""Stabilisation: the same item centre, scale and uprightness in every view, even exposure.

Camera roll between neighbouring views comes from ORB matches on the item and a RANSAC fit of
their vertical motion only (`fit_vertical_motion`: the turn itself moves points sideways),
anchored by the silhouettes of box-like items (`upright_rolls`). Centre and scale come from the
item's extent once un-rolled: its height does not change as it turns on a vertical axis, so
scaling every view to the same height removes zoom/distance jitter without fighting the turn.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Placement:
    """Where the item is in one analysis view."""

    roll: float        # degrees to rotate the view by to make it upright (counter-clockwise)
    centre: np.ndarray  # (x, y) of the item's box centre, analysis pixels
    height: float
    width: float


def fit_vertical_motion(source: np.ndarray, target: np.ndarray,
                        rng: np.random.Generator, tolerance: float = 1.0,
                        iterations: int = 200) -> float | None:
    """Roll (radians, clockwise on screen) from matched points' vertical motion, by RANSAC.

    Turning on a vertical axis moves points sideways only; camera roll θ moves a point at
    horizontal offset x down by θ·x, zoom moves it by k·y, and perspective makes the turn shrink
    or grow points' height as they recede or approach (m·x·y). Fitting dy = t + θ·x + k·y + m·x·y
    keeps the turn out of θ.
    """
    centred = source - source.mean(axis=0)
    design = np.column_stack([np.ones(len(source)), centred, centred[:, 0] * centred[:, 1] / 100])
    dy = target[:, 1] - source[:, 1]
    samples = rng.random((iterations, len(source))).argpartition(4, axis=1)[:, :4]
    solutions = np.linalg.pinv(design[samples]) @ dy[samples][..., None]  # every sample at once
    inliers = np.abs(design @ solutions[..., 0].T - dy[:, None]) < tolerance
    best = inliers[:, int(np.argmax(inliers.sum(axis=0)))]
    if best.sum() < 10:
        return None
    solution, *_ = np.linalg.lstsq(design[best], dy[best], rcond=None)
    return float(solution[1])


def relative_roll(features_a, features_b) -> float | None:
    """Degrees view b is rolled clockwise relative to view a, or None when matching fails."""
    import cv2

    (keys_a, desc_a), (keys_b, desc_b) = features_a, features_b
    if desc_a is None or desc_b is None or len(keys_a) < 10 or len(keys_b) < 10:
        return None
    matches = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True).match(desc_a, desc_b)
    if len(matches) < 10:
        return None
    source = np.float64([keys_a[m.queryIdx].pt for m in matches])
    target = np.float64([keys_b[m.trainIdx].pt for m in matches])
    roll = fit_vertical_motion(source, target, np.random.default_rng(0))
    return None if roll is None else float(np.degrees(roll))


def silhouette_roll(mask: np.ndarray, min_fill: float = 0.93) -> float | None:
    """Clockwise roll of a box-like silhouette (bottle, carton, can), or None if not box-like."""
    import cv2

    (_, _), (width, height), angle = cv2.minAreaRect(cv2.findNonZero(mask))
    if width * height == 0 or np.count_nonzero(mask) / (width * height) < min_fill:
        return None
    return float((angle + 45) % 90 - 45)


def upright_rolls(grays: list[np.ndarray], masks: list[np.ndarray], loop_closed: bool,
                  silhouette_weight: float = 5.0) -> np.ndarray:
    """Per-view correction (degrees, counter-clockwise) that removes camera roll.

    Views whose silhouette is box-like give their absolute roll (an upright item's sides are
    vertical); the roll between neighbouring views (ORB + `fit_vertical_motion`) fills in the
    rest. Both are solved together by least squares. Without any box-like view nothing is
    rotated: on the turntable tests a chain of pairwise estimates alone drifted further than
    the hand-held roll it was meant to remove.
    """
    import cv2

    n = len(grays)
    absolute = [(i, silhouette_roll(mask)) for i, mask in enumerate(masks)]
    absolute = [(i, roll) for i, roll in absolute if roll is not None]
    if not absolute:
        return np.zeros(n)
    orb = cv2.ORB_create(nfeatures=800, fastThreshold=7, edgeThreshold=15, patchSize=15)
    features = [orb.detectAndCompute(gray, mask) for gray, mask in zip(grays, masks)]
    rows, values = [], []
    for i in range(n if loop_closed else n - 1):
        roll = relative_roll(features[i], features[(i + 1) % n])
        if roll is not None:
            rows.append(np.eye(n)[(i + 1) % n] - np.eye(n)[i])
            values.append(roll)
    for i, roll in absolute:
        rows.append(np.eye(n)[i] * silhouette_weight)
        values.append(roll * silhouette_weight)
    clockwise, *_ = np.linalg.lstsq(np.array(rows), np.array(values), rcond=None)
    return clockwise


def place_item(mask: np.ndarray, roll: float) -> Placement:
    """Centre and size of the item after rotating the view by `roll` degrees about the centre."""
    ys, xs = np.nonzero(mask)
    points = np.stack([xs, ys], axis=1).astype(np.float64)
    pivot = np.array([mask.shape[1] / 2, mask.shape[0] / 2])
    angle = np.radians(roll)
    # Image y points down, so a counter-clockwise rotation on screen is this matrix.
    rotation = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])
    upright = (points - pivot) @ rotation.T
    low, high = np.percentile(upright, 0.5, axis=0), np.percentile(upright, 99.5, axis=0)
    centre_upright = (low + high) / 2
    centre = centre_upright @ rotation + pivot  # back to the original view (rotation⁻¹ = ᵀ)
    return Placement(roll, centre, float(high[1] - low[1]), float(high[0] - low[0]))


def output_transform(placement: Placement, scale: float, analysis_to_work: float,
                     size: int) -> np.ndarray:
    """2×3 affine from a work-resolution frame to a `size`² output with the item centred."""
    import cv2

    centre = placement.centre * analysis_to_work
    factor = scale / analysis_to_work * size
    matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), placement.roll, factor)
    matrix[:, 2] += np.array([size / 2, size / 2]) - centre
    return matrix


def common_scale(placements: list[Placement], fill: float) -> list[float]:
    """Per-view scale (output frame sizes per analysis pixel) giving every view the same item height.

    The height is `fill` of the frame unless the widest view would then not fit.
    """
    aspect = max(p.width / max(p.height, 1.0) for p in placements)
    height_fraction = min(fill, 0.94 / aspect)
    return [height_fraction / max(p.height, 1.0) for p in placements]


def exposure_gains(backgrounds: list[np.ndarray]) -> np.ndarray:
    """Gains that bring each view's background brightness to the capture's median (clipped).

    The plain background is the one thing that should look the same from every side; the item
    itself legitimately changes brightness as its light and dark sides come round.
    """
    levels = np.array([float(np.mean(colour)) for colour in backgrounds])
    return np.clip(np.median(levels) / np.maximum(levels, 1.0), 0.6, 1.6)


def render(image: np.ndarray, matrix: np.ndarray, size: int, background: np.ndarray,
           gain: float) -> np.ndarray:
    import cv2

    warped = cv2.warpAffine(image, matrix, (size, size), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT,
                            borderValue=tuple(float(v) for v in background))
    if abs(gain - 1.0) < 0.01:
        return warped
    return np.clip(warped.astype(np.float32) * gain, 0, 255).astype(np.uint8)
