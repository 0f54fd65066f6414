"""Model-free dominant colour: k-means in CIELAB on the object, named from a fixed vocabulary.

The object is separated from the background by its distance (ΔE) to the colour of the image
border, which is what a phone photo of a product on a table or a wall mostly shows. The object's
pixels are clustered in CIELAB (perceptually uniform), each cluster centre is named by its
nearest prototype colour, and the score is the share of object pixels that carry the winning
name. When no name covers enough of the object, the answer is "multicolour".
"""
from __future__ import annotations

import cv2
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

ANALYSIS_SIDE = 64  # colour needs no detail; an antialiased resize gives the same answer at any
# photo size (NEAREST sampling changed the answer for 1 photo in 4 between a photo and its
# 2x upscale, BILINEAR for none on the dev and sample lists)
BACKGROUND_DELTA_E = 14.0
MIN_OBJECT_SHARE = 0.06
MULTICOLOUR_SECOND = 0.25  # a second distinct colour covering this much → multicolour
MULTICOLOUR_DELTA_E = 40.0  # … and at least this far from the main colour
MIN_DOMINANT_SHARE = 0.4  # no name covering this much of the object → multicolour
MERGE_DELTA_E = 20.0
CLUSTERS = 5
BORDER_CLUSTERS = 3
MIN_BORDER_SHARE = 0.2  # a border colour covering less than this is the object touching the edge
MAX_POINTS = 1024  # object pixels sampled for clustering
WHITE_PATCH_PERCENTILE = 99
MAX_WHITE_GAIN = 1.5


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) uint8/float sRGB in 0..255 → CIELAB (D65)."""
    c = np.asarray(rgb, dtype=np.float32) / np.float32(255.0)
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
    squared = ((lab[:, :, None, :] - background[None, None]) ** 2).sum(axis=-1).min(axis=-1)
    window = np.zeros((h, w), dtype=bool)
    window[h // 10: h - h // 10, w // 10: w - w // 10] = True
    mask = (squared > BACKGROUND_DELTA_E ** 2) & window
    if mask.mean() < MIN_OBJECT_SHARE:
        mask = np.zeros_like(window)
        mask[h // 5: h - h // 5, w // 5: w - w // 5] = True
    return mask


def kmeans(points: np.ndarray, k: int, iterations: int = 10, seed: int = 0):
    """Lloyd k-means with k-means++ seeding (OpenCV's, in C); returns (centres, labels).
    Deterministic: OpenCV's random generator is per thread and reseeded on every call."""
    points = np.ascontiguousarray(points, dtype=np.float32)
    k = min(k, len(points))
    cv2.setRNGSeed(seed)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_MAX_ITER, iterations, 0.1)
    _, labels, centres = cv2.kmeans(points, k, None, criteria, 1, cv2.KMEANS_PP_CENTERS)
    return centres.astype(np.float64), labels.ravel()


def white_balance(rgb: np.ndarray) -> np.ndarray:
    """White-patch correction: the brightest part of the frame is taken as white, so a white
    shirt under warm indoor light is not read as grey or beige. The gain is capped."""
    rgb = rgb.astype(np.float64)
    bright = np.percentile(rgb.reshape(-1, 3), WHITE_PATCH_PERCENTILE, axis=0)
    gain = np.clip(255.0 / np.maximum(bright, 1.0), 1.0, MAX_WHITE_GAIN)
    return np.clip(rgb * gain, 0, 255)


def analysis_image(image: Image.Image) -> Image.Image:
    """The small RGB copy that colour is computed on (a no-op when already that size)."""
    image = image.convert("RGB")
    if image.size == (ANALYSIS_SIDE, ANALYSIS_SIDE):
        return image
    return image.resize((ANALYSIS_SIDE, ANALYSIS_SIDE), Image.BILINEAR)


def clusters(image: Image.Image) -> list[tuple[np.ndarray, float]]:
    """The object's colours as (Lab centre, share) clusters, largest first.

    k-means clusters closer than `MERGE_DELTA_E` are merged first, so the shading of one fabric
    (a white shirt's grey folds) stays one colour while real stripes stay apart.
    """
    lab = srgb_to_lab(white_balance(np.asarray(analysis_image(image))))
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
    return [(centre, float(weight)) for centre, weight in groups]


def dominant_colour(image: Image.Image) -> tuple[str, float]:
    """(name, score): the name of the largest colour cluster, scored by the share of the object
    carrying that name; "multicolour" when another cluster, far from it in colour (ΔE ≥
    `MULTICOLOUR_DELTA_E`, so dark navy next to navy does not count) and named differently,
    covers at least `MULTICOLOUR_SECOND` of the object, or when no name covers
    `MIN_DOMINANT_SHARE` of it."""
    found = clusters(image)
    names = name_of(np.array([centre for centre, _ in found]))
    top_centre, top_share = found[0]
    for name, (centre, share) in zip(names[1:], found[1:]):
        if (share >= MULTICOLOUR_SECOND and name != names[0]
                and np.linalg.norm(centre - top_centre) >= MULTICOLOUR_DELTA_E):
            return "multicolour", round(top_share + share, 4)
    same = sum(share for name, (_, share) in zip(names, found) if name == names[0])
    if same < MIN_DOMINANT_SHARE:
        return "multicolour", round(1.0 - same, 4)
    return names[0], round(same, 4)
