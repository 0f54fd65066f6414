"""Model-free dominant colour: k-means in CIELAB on the object, named from a fixed vocabulary.

The object is separated from the background by its distance (ΔE) to the colour of the image
border, which is what a phone photo of a product on a table or a wall mostly shows. The object's
pixels are clustered in CIELAB (perceptually uniform), each cluster centre is named by its
nearest prototype colour, and the score is the share of object pixels that carry the winning
name. When no name covers enough of the object, the answer is "multicolour".
"""
from __future__ import annotations

import numpy as np
from PIL import Image

COLOURS = ("black", "white", "grey", "beige", "brown", "red", "pink", "orange", "yellow",
           "green", "blue", "purple", "multicolour")

# sRGB prototypes per name; several per name cover dark/light variants (navy is blue, …).
PROTOTYPES: dict[str, tuple[tuple[int, int, int], ...]] = {
    "black": ((10, 10, 10), (40, 40, 45)),
    "white": ((250, 250, 250), (232, 232, 226)),
    "grey": ((128, 128, 128), (90, 92, 95), (180, 180, 182), (60, 62, 66)),
    "beige": ((240, 230, 205), (215, 195, 160), (195, 175, 140)),
    "brown": ((120, 72, 35), (85, 58, 40), (155, 105, 65), (60, 40, 30)),
    "red": ((200, 25, 30), (140, 15, 25), (225, 60, 55)),
    "pink": ((250, 175, 195), (225, 95, 150), (245, 205, 215), (190, 80, 120)),
    "orange": ((250, 140, 20), (225, 105, 40), (250, 175, 90)),
    "yellow": ((250, 220, 30), (240, 230, 120), (215, 185, 40)),
    "green": ((20, 140, 60), (85, 120, 45), (150, 200, 90), (30, 70, 45), (110, 120, 80)),
    "blue": ((20, 70, 200), (25, 35, 80), (110, 160, 220), (60, 90, 140), (40, 110, 170)),
    "purple": ((120, 45, 145), (75, 35, 95), (175, 135, 200)),
}

ANALYSIS_SIDE = 64  # colour needs no detail; NEAREST keeps stripes apart instead of greying them
BACKGROUND_DELTA_E = 14.0
MIN_OBJECT_SHARE = 0.06
MULTICOLOUR_SECOND = 0.25  # a second distinct colour covering this much → multicolour
MERGE_DELTA_E = 20.0
CLUSTERS = 5
BORDER_CLUSTERS = 3
MIN_BORDER_SHARE = 0.2  # a border colour covering less than this is the object touching the edge
MAX_POINTS = 3000  # object pixels sampled for clustering
WHITE_PATCH_PERCENTILE = 99
MAX_WHITE_GAIN = 1.5


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) uint8/float sRGB in 0..255 → CIELAB (D65)."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = linear @ np.array([[0.4124564, 0.2126729, 0.0193339],
                             [0.3575761, 0.7151522, 0.1191920],
                             [0.1804375, 0.0721750, 0.9503041]])
    xyz /= np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], axis=-1)


_PROTO_NAMES = [name for name, rgbs in PROTOTYPES.items() for _ in rgbs]
_PROTO_LAB = srgb_to_lab(np.array([rgb for rgbs in PROTOTYPES.values() for rgb in rgbs]))


def name_of(lab: np.ndarray) -> list[str]:
    """Nearest prototype name for each (N, 3) Lab colour."""
    distances = np.linalg.norm(lab[:, None, :] - _PROTO_LAB[None, :, :], axis=-1)
    return [_PROTO_NAMES[i] for i in distances.argmin(axis=1)]


def object_mask(lab: np.ndarray) -> np.ndarray:
    """Pixels that match none of the border's main colours (a wall, a floor of two-tone tiles),
    inside a central window; the central window alone when that leaves too little."""
    h, w = lab.shape[:2]
    ring = max(2, h // 32)
    border = np.concatenate([lab[:ring].reshape(-1, 3), lab[-ring:].reshape(-1, 3),
                             lab[:, :ring].reshape(-1, 3), lab[:, -ring:].reshape(-1, 3)])
    centres, labels = kmeans(border, BORDER_CLUSTERS)
    shares = np.bincount(labels, minlength=len(centres)) / len(labels)
    background = centres[shares >= MIN_BORDER_SHARE]
    distance = np.linalg.norm(lab[:, :, None, :] - background[None, None], axis=-1).min(axis=-1)
    window = np.zeros((h, w), dtype=bool)
    window[h // 10: h - h // 10, w // 10: w - w // 10] = True
    mask = (distance > BACKGROUND_DELTA_E) & window
    if mask.mean() < MIN_OBJECT_SHARE:
        mask = np.zeros_like(window)
        mask[h // 5: h - h // 5, w // 5: w - w // 5] = True
    return mask


def kmeans(points: np.ndarray, k: int, iterations: int = 10, seed: int = 0):
    """Plain Lloyd k-means with k-means++ seeding; returns (centres, labels). Deterministic."""
    rng = np.random.default_rng(seed)
    k = min(k, len(points))
    centres = points[[rng.integers(len(points))]]
    for _ in range(1, k):
        d2 = _squared_distances(points, centres).min(axis=1).clip(min=0)
        total = d2.sum()
        pick = rng.choice(len(points), p=d2 / total) if total > 0 else 0
        centres = np.vstack([centres, points[pick]])
    for _ in range(iterations):
        labels = _squared_distances(points, centres).argmin(axis=1)
        counts = np.bincount(labels, minlength=k)
        sums = np.stack([np.bincount(labels, weights=points[:, d], minlength=k)
                         for d in range(points.shape[1])], axis=1)
        filled = counts > 0
        centres[filled] = sums[filled] / counts[filled, None]
    return centres, _squared_distances(points, centres).argmin(axis=1)


def _squared_distances(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return ((points ** 2).sum(1)[:, None] - 2 * points @ centres.T
            + (centres ** 2).sum(1)[None, :])


def white_balance(rgb: np.ndarray) -> np.ndarray:
    """White-patch correction: the brightest part of the frame is taken as white, so a white
    shirt under warm indoor light is not read as grey or beige. The gain is capped."""
    rgb = rgb.astype(np.float64)
    bright = np.percentile(rgb.reshape(-1, 3), WHITE_PATCH_PERCENTILE, axis=0)
    gain = np.clip(255.0 / np.maximum(bright, 1.0), 1.0, MAX_WHITE_GAIN)
    return np.clip(rgb * gain, 0, 255)


def colour_groups(image: Image.Image) -> list[tuple[str, float]]:
    """The object's colours as (name, share) groups, largest first.

    k-means clusters closer than `MERGE_DELTA_E` are merged first, so the shading of one fabric
    (a white shirt's grey folds) stays one colour while real stripes stay apart.
    """
    small = image.convert("RGB").resize((ANALYSIS_SIDE, ANALYSIS_SIDE), Image.NEAREST)
    lab = srgb_to_lab(white_balance(np.asarray(small)))
    points = lab[object_mask(lab)]
    if len(points) > MAX_POINTS:
        points = points[np.random.default_rng(0).choice(len(points), MAX_POINTS, replace=False)]
    centres, labels = kmeans(points, CLUSTERS)
    weights = np.bincount(labels, minlength=len(centres)) / len(labels)
    groups = [[centre, weight] for centre, weight in zip(centres, weights) if weight > 0]
    merged = True
    while merged and len(groups) > 1:
        merged = False
        pairs = [(np.linalg.norm(a[0] - b[0]), i, j) for i, a in enumerate(groups)
                 for j, b in enumerate(groups) if i < j]
        distance, i, j = min(pairs)
        if distance < MERGE_DELTA_E:
            (ca, wa), (cb, wb) = groups[i], groups[j]
            groups[i] = [(ca * wa + cb * wb) / (wa + wb), wa + wb]
            del groups[j]
            merged = True
    groups.sort(key=lambda group: -group[1])
    names = name_of(np.array([centre for centre, _ in groups]))
    return [(name, round(float(weight), 4)) for name, (_, weight) in zip(names, groups)]


def dominant_colour(image: Image.Image) -> tuple[str, float]:
    """(name, score): the colour covering most of the object, or multicolour when a second,
    clearly different colour covers a large part of it too."""
    groups = colour_groups(image)
    name, share = groups[0]
    if len(groups) > 1 and groups[1][1] >= MULTICOLOUR_SECOND and groups[1][0] != name:
        return "multicolour", round(share + groups[1][1], 4)
    return name, share
