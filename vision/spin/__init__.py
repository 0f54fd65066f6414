"""Rotating view: turn a walk-around video or a photo burst into a stabilised, evenly spaced spin.

Plain numpy/OpenCV/Pillow/PyAV (no Django, no torch). The steps, one module each:
`sources` (decode) → `quality` (drop blurred/duplicate frames) → `segment` (find the item) →
`order` (circular order, loop closure, viewing angles) → `stabilise` (centre, scale, roll,
exposure) → `output` (renditions, sprite sheet, manifest). `pipeline.build_spin` runs them all;
`python -m vision.spin INPUT --out DIR --json` is the command line.
"""
from .config import SpinConfig, SpinError

__all__ = ["SpinConfig", "SpinError"]
