"""Synthetic turntable captures with known angles, for tests, benchmarks and demo data.

Real product photos are wrapped side by side around a vertical cylinder that is ray-cast with a
perspective camera onto a plain background, as a phone on a tripod would see an item turning on a
turntable. `jitter` then shakes each view (shift, scale, roll) the way a hand-held phone would.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BACKGROUND = np.array([196, 204, 214], np.float32)


@dataclass(frozen=True)
class Turntable:
    size: int = 192              # square output, pixels
    radius: float = 0.5
    height: float = 1.3
    distance: float = 3.2        # camera to axis
    field_of_view: float = 40.0  # degrees
    supersample: int = 2


def panorama(photos: list[np.ndarray], height: int = 256) -> np.ndarray:
    """Photos resized to one height and placed side by side: the cylinder's label."""
    import cv2

    return np.concatenate([cv2.resize(p, (round(p.shape[1] * height / p.shape[0]), height),
                                      interpolation=cv2.INTER_AREA) for p in photos], axis=1)


def render_view(texture: np.ndarray, angle: float, rig: Turntable = Turntable(),
                seed: int = 0) -> np.ndarray:
    """The textured cylinder turned by `angle` degrees, RGB uint8, with faint sensor noise."""
    import cv2

    n = rig.size * rig.supersample
    half = np.tan(np.radians(rig.field_of_view) / 2)
    coords = (np.arange(n) + 0.5) / n * 2 - 1
    dx, dy = np.meshgrid(coords * half, -coords * half)
    dz = np.ones_like(dx)
    # Ray from (0, 0, -distance): solve (t·dx)² + (t·dz - distance)² = radius².
    a = dx ** 2 + dz ** 2
    b = -2 * rig.distance * dz
    c = rig.distance ** 2 - rig.radius ** 2
    disc = b ** 2 - 4 * a * c
    t = (-b - np.sqrt(np.maximum(disc, 0))) / (2 * a)
    x, y, z = t * dx, t * dy, t * dz - rig.distance
    hit = (disc > 0) & (np.abs(y) <= rig.height / 2)
    around = (np.arctan2(x, -z) + np.radians(angle)) / (2 * np.pi) % 1.0
    rows = np.clip(((rig.height / 2 - y) / rig.height * texture.shape[0]).astype(int), 0,
                   texture.shape[0] - 1)
    cols = np.clip((around * texture.shape[1]).astype(int), 0, texture.shape[1] - 1)
    norm = np.sqrt(dx ** 2 + dy ** 2 + dz ** 2)
    facing = np.clip(-(x * dx + z * dz) / (rig.radius * norm), 0, 1)  # cosine to the camera
    colour = texture[rows, cols].astype(np.float32) * (0.55 + 0.45 * facing)[..., None]
    image = np.where(hit[..., None], colour, BACKGROUND)
    image = cv2.resize(image, (rig.size, rig.size), interpolation=cv2.INTER_AREA)
    noise = np.random.default_rng(seed).normal(0, 1.5, image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


def jitter(image: np.ndarray, shift: tuple[float, float], scale: float, roll: float) -> np.ndarray:
    """The view as a shaky hand would frame it: rolled `roll`° (counter-clockwise), scaled, shifted."""
    import cv2

    size = image.shape[1], image.shape[0]
    matrix = cv2.getRotationMatrix2D((size[0] / 2, size[1] / 2), roll, scale)
    matrix[:, 2] += shift
    return cv2.warpAffine(image, matrix, size, flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT,
                          borderValue=tuple(float(v) for v in BACKGROUND))
