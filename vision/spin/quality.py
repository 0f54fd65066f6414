"""Dropping blurred and duplicate views."""
from __future__ import annotations

import numpy as np


def sharpness(gray: np.ndarray) -> float:
    """Variance of the Laplacian: high for crisp detail, low for motion blur or defocus."""
    import cv2

    return float(cv2.Laplacian(gray, cv2.CV_32F).var())


def select_views(descriptors: np.ndarray, sharpness_scores: np.ndarray, blur_ratio: float,
                 duplicate_distance: float) -> tuple[list[int], int, int]:
    """Indices (in input order) of the views worth keeping, and how many were blurred/duplicate.

    Blur is judged relative to the capture's own median (absolute sharpness depends on the
    item's texture). Among near-identical views the sharpest is kept.
    """
    median = float(np.median(sharpness_scores))
    crisp = [i for i in range(len(descriptors)) if sharpness_scores[i] >= blur_ratio * median]
    kept: list[int] = []
    for index in sorted(crisp, key=lambda i: -sharpness_scores[i]):
        if kept and (1.0 - descriptors[kept] @ descriptors[index]).min() < duplicate_distance:
            continue
        kept.append(index)
    return sorted(kept), len(descriptors) - len(crisp), len(crisp) - len(kept)
