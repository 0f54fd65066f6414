"""Circular order of the views, loop closure, and viewing angles.

Order: each view is described by its item crop's grey and colour pattern (`describe`) so that
position/scale jitter does not matter; similar crops are neighbouring angles. A photo burst's
ring is a travelling-salesman tour over `1 - correlation` (nearest neighbour from every start,
then 2-opt). A video keeps its time order; the loop closes where a late frame looks like the first.

Angles (what they mean): degrees the item has turned relative to output frame 0, in the
direction the viewer plays forward. Each step between neighbouring views is measured by phase
correlation of the two views unwrapped onto a cylinder about the item's vertical axis (the
item's half-width is the radius), where a turn is a horizontal shift.
A closed loop's steps are rescaled to sum to 360°. With fewer than `min_measured_views` views the
steps are too large to measure, and angles assume even spacing (`angle_method: "even"`).
"""
from __future__ import annotations

import numpy as np

DESCRIPTOR_SIZE = 24
COLOUR_WEIGHT = 0.4  # share of colour in the similarity (grey pattern: the rest)
UNWRAP_REACH = 0.85  # unwrap the item out to this fraction of its radius (edges foreshorten)


def unit(vector: np.ndarray) -> np.ndarray:
    vector = vector - vector.mean()
    return vector / (np.linalg.norm(vector) + 1e-6)


def describe(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Unit vector: the item crop's grey pattern (24×24) and colour pattern (Lab a/b, 12×12)."""
    import cv2

    x0, y0, x1, y1 = box
    lab = cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_RGB2LAB).astype(np.float32)
    grey = cv2.resize(lab[..., 0], (DESCRIPTOR_SIZE,) * 2, interpolation=cv2.INTER_AREA)
    colour = cv2.resize(lab[..., 1:], (DESCRIPTOR_SIZE // 2,) * 2, interpolation=cv2.INTER_AREA)
    return np.concatenate([np.sqrt(1 - COLOUR_WEIGHT) * unit(grey.ravel()),
                           np.sqrt(COLOUR_WEIGHT) * unit(colour.ravel())])


def distance_matrix(descriptors: np.ndarray) -> np.ndarray:
    return np.clip(1.0 - descriptors @ descriptors.T, 0.0, 2.0)


def tour_length(distances: np.ndarray, tour: list[int]) -> float:
    return float(distances[tour, np.roll(tour, -1)].sum())


def nearest_neighbour_tour(distances: np.ndarray, start: int) -> list[int]:
    tour, free = [start], set(range(len(distances))) - {start}
    while free:
        last = tour[-1]
        nearest = min(free, key=lambda j: distances[last, j])
        tour.append(nearest)
        free.remove(nearest)
    return tour


def two_opt(distances: np.ndarray, tour: list[int]) -> list[int]:
    """Reverse segments while that shortens the closed tour."""
    tour = np.array(tour)
    n = len(tour)
    improved = True
    while improved:
        improved = False
        for i in range(n - 2):
            js = np.arange(i + 2, n if i else n - 1)
            a, b, c, d = tour[i], tour[i + 1], tour[js], tour[(js + 1) % n]
            gain = distances[a, b] + distances[c, d] - distances[a, c] - distances[b, d]
            best = int(np.argmax(gain)) if len(gain) else 0
            if len(gain) and gain[best] > 1e-9:
                j = js[best]
                tour[i + 1:j + 1] = tour[i + 1:j + 1][::-1].copy()
                improved = True
    return tour.tolist()


def ring_order(distances: np.ndarray) -> list[int]:
    """The shortest closed tour through all views we can find cheaply."""
    n = len(distances)
    tours = [nearest_neighbour_tour(distances, start) for start in range(n)]
    best = min(tours, key=lambda tour: tour_length(distances, tour))
    return two_opt(distances, best)


def open_or_close_ring(distances: np.ndarray, tour: list[int],
                       gap_ratio: float) -> tuple[list[int], bool]:
    """Cut the ring at its widest gap if that gap is far wider than a typical step."""
    steps = distances[tour, np.roll(tour, -1)]
    widest = int(np.argmax(steps))
    if steps[widest] > gap_ratio * np.median(steps):
        return tour[widest + 1:] + tour[:widest + 1], False
    return tour, True


def close_video_loop(distances: np.ndarray, gap_ratio: float) -> tuple[int, bool]:
    """For views in time order: how many to keep, and whether the camera came back to the start.

    The closing view is the one in the second half that looks most like the first; views after
    it repeat angles already covered.
    """
    n = len(distances)
    steps = distances[np.arange(n - 1), np.arange(1, n)]
    candidates = np.arange(n // 2, n)
    closing = int(candidates[np.argmin(distances[0, candidates])])
    if distances[0, closing] > gap_ratio * np.median(steps):
        return n, False
    # The closing view duplicates view 0 when it is nearer to it than a typical step.
    return (closing if distances[0, closing] < 0.5 * np.median(steps) else closing + 1), True


def unwrap(gray: np.ndarray, radius: float, columns: int = 128) -> np.ndarray:
    """The centred item resampled to cylinder angle: a turn becomes a plain horizontal shift."""
    import cv2

    reach = np.arcsin(UNWRAP_REACH)
    angles = np.linspace(-reach, reach, columns, dtype=np.float32)
    map_x = np.tile(gray.shape[1] / 2 + radius * np.sin(angles), (gray.shape[0], 1))
    map_y = np.tile(np.arange(gray.shape[0], dtype=np.float32)[:, None], (1, columns))
    return cv2.remap(gray.astype(np.float32), map_x, map_y, cv2.INTER_LINEAR)


def turn_between(previous: np.ndarray, following: np.ndarray, radius: float) -> float:
    """Signed turn (radians, + when the front surface moves right) between two centred views.

    On a cylinder of radius R about the image's vertical centre line a surface point at offset
    x = R·sin(φ) keeps its φ + dθ as it turns, so after `unwrap` phase correlation finds dθ.
    """
    import cv2

    a, b = unwrap(previous, radius), unwrap(following, radius)
    window = cv2.createHanningWindow((a.shape[1], a.shape[0]), cv2.CV_32F)
    (shift, _), _ = cv2.phaseCorrelate(a, b, window)
    return float(shift) * 2 * np.arcsin(UNWRAP_REACH) / (a.shape[1] - 1)


def estimate_angles(grays: list[np.ndarray], radius: float,
                    loop_closed: bool, min_measured_views: int) -> tuple[np.ndarray, str, list[int]]:
    """(angles in degrees, method, playback order) for stabilised views in ring order.

    The playback order reverses the ring when the item's front surface moves right, so that
    every spin plays the same way round (dragging left turns it forward).
    """
    n = len(grays)
    identity = list(range(n))
    even = np.arange(n) * (360.0 / n)
    if n < min_measured_views:
        return even, "even", identity
    pairs = list(zip(range(n), list(range(1, n)) + ([0] if loop_closed else [])))
    motions = np.array([turn_between(grays[i], grays[j], radius) for i, j in pairs])
    steps = np.abs(motions)
    if not np.all(np.isfinite(steps)) or np.median(steps) <= 0:
        return even, "even", identity
    steps = np.maximum(steps, 0.1 * np.median(steps))  # a stalled frame still moves forward
    order = identity
    if np.median(motions) > 0:
        order = [0] + identity[:0:-1] if loop_closed else identity[::-1]
        steps = steps[::-1]
    if loop_closed:
        steps = steps * (2 * np.pi / steps.sum())
    return np.degrees(np.concatenate([[0.0], np.cumsum(steps[:n - 1])])), "measured", order
