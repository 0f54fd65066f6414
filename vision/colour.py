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

ANALYSIS_SIDE = 64      # colour needs no detail; keeps the estimate ~1 ms
BACKGROUND_DELTA_E = 14.0
MIN_OBJECT_SHARE = 0.06
MULTICOLOUR_BELOW = 0.45  # top name covering less than this share of the object → multicolour
CLUSTERS = 5
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
    """Pixels that differ from the border colour; the centre of the frame when that finds none."""
    border = np.concatenate([lab[:2].reshape(-1, 3), lab[-2:].reshape(-1, 3),
                             lab[:, :2].reshape(-1, 3), lab[:, -2:].reshape(-1, 3)])
    background = np.median(border, axis=0)
    mask = np.linalg.norm(lab - background, axis=-1) > BACKGROUND_DELTA_E
    if mask.mean() < MIN_OBJECT_SHARE:
        h, w = mask.shape
        mask = np.zeros_like(mask)
        mask[h // 5: h - h // 5, w // 5: w - w // 5] = True
    return mask


def kmeans(points: np.ndarray, k: int, iterations: int = 12, seed: int = 0):
    """Plain Lloyd k-means with k-means++ seeding; returns (centres, labels). Deterministic."""
    rng = np.random.default_rng(seed)
    k = min(k, len(points))
    centres = [points[rng.integers(len(points))]]
    for _ in range(1, k):
        d2 = np.min(((points[:, None] - np.array(centres)[None]) ** 2).sum(-1), axis=1)
        total = d2.sum()
        centres.append(points[rng.choice(len(points), p=d2 / total)] if total > 0 else centres[0])
    centres = np.array(centres)
    for _ in range(iterations):
        labels = ((points[:, None] - centres[None]) ** 2).sum(-1).argmin(axis=1)
        for j in range(k):
            members = points[labels == j]
            if len(members):
                centres[j] = members.mean(axis=0)
    labels = ((points[:, None] - centres[None]) ** 2).sum(-1).argmin(axis=1)
    return centres, labels


def white_balance(rgb: np.ndarray) -> np.ndarray:
    """White-patch correction: the brightest part of the frame is taken as white, so a white
    shirt under warm indoor light is not read as grey or beige. The gain is capped."""
    rgb = rgb.astype(np.float64)
    bright = np.percentile(rgb.reshape(-1, 3), WHITE_PATCH_PERCENTILE, axis=0)
    gain = np.clip(255.0 / np.maximum(bright, 1.0), 1.0, MAX_WHITE_GAIN)
    return np.clip(rgb * gain, 0, 255)


def colour_shares(image: Image.Image) -> dict[str, float]:
    """Share of the object's pixels per colour name, largest first."""
    small = image.convert("RGB").resize((ANALYSIS_SIDE, ANALYSIS_SIDE), Image.BILINEAR)
    lab = srgb_to_lab(white_balance(np.asarray(small)))
    points = lab[object_mask(lab)]
    centres, labels = kmeans(points, CLUSTERS)
    counts = np.bincount(labels, minlength=len(centres)) / len(labels)
    shares: dict[str, float] = {}
    for name, share in zip(name_of(centres), counts):
        shares[name] = shares.get(name, 0.0) + float(share)
    return dict(sorted(shares.items(), key=lambda item: -item[1]))


def dominant_colour(image: Image.Image) -> tuple[str, float]:
    """(name, score): the colour covering most of the object, or multicolour."""
    shares = colour_shares(image)
    name, share = next(iter(shares.items()))
    if share < MULTICOLOUR_BELOW and len(shares) >= 3:
        return "multicolour", round(1.0 - share, 4)
    return name, round(share, 4)
