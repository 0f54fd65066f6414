"""Finding the item: everything that differs from the plain background the guidance asks for."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ItemRegion:
    mask: np.ndarray          # uint8 0/255, analysis resolution
    background: np.ndarray    # RGB colour of the background (median of the frame's border)
    area: float               # fraction of the frame

    def points(self) -> np.ndarray:
        ys, xs = np.nonzero(self.mask)
        return np.stack([xs, ys], axis=1).astype(np.float32)

    def box(self) -> tuple[int, int, int, int]:
        """Bounding box (x0, y0, x1, y1) of the item, ignoring the outermost 1% of its pixels."""
        points = self.points()
        x0, y0 = np.percentile(points, 0.5, axis=0)
        x1, y1 = np.percentile(points, 99.5, axis=0)
        return int(x0), int(y0), int(np.ceil(x1)) + 1, int(np.ceil(y1)) + 1


def border_pixels(image: np.ndarray, width: int = 3) -> np.ndarray:
    return np.concatenate([image[:width].reshape(-1, 3), image[-width:].reshape(-1, 3),
                           image[:, :width].reshape(-1, 3), image[:, -width:].reshape(-1, 3)])


def find_item(image: np.ndarray, min_area: float, max_area: float) -> ItemRegion | None:
    """The largest blob that differs from the border colour, or None when there is none.

    Works in Lab so that shadows and exposure shifts count less than colour/texture changes.
    """
    import cv2

    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    border = border_pixels(lab)
    background_lab = np.median(border, axis=0)
    border_distance = np.linalg.norm(border - background_lab, axis=1)
    threshold = max(12.0, 3.0 * float(np.percentile(border_distance, 90)))
    distance = np.linalg.norm(lab - background_lab, axis=2)
    mask = (distance > threshold).astype(np.uint8) * 255
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel, iterations=2)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    if count < 2:
        return None
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    mask = np.where(labels == largest, 255, 0).astype(np.uint8)
    area = float(stats[largest, cv2.CC_STAT_AREA]) / mask.size
    if not min_area <= area <= max_area:
        return None
    background = np.median(border_pixels(image), axis=0)
    return ItemRegion(mask, background, area)
