"""Writing a finished spin: zoom and display renditions, a low-res sprite sheet, the manifest."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

MANIFEST_VERSION = 1


def save_jpeg(image: np.ndarray, path: Path, quality: int) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    # No EXIF, no timestamps: the same input gives the same bytes.
    Image.fromarray(image).save(path, "JPEG", quality=quality, optimize=True)


def resize(image: np.ndarray, size: int) -> np.ndarray:
    import cv2

    return cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)


def sprite_sheet(thumbnails: list[np.ndarray]) -> tuple[np.ndarray, int, int]:
    """Square thumbnails in a near-square grid: (sheet, columns, rows)."""
    size = thumbnails[0].shape[0]
    columns = math.ceil(math.sqrt(len(thumbnails)))
    rows = math.ceil(len(thumbnails) / columns)
    sheet = np.full((rows * size, columns * size, 3), 255, np.uint8)
    for index, thumbnail in enumerate(thumbnails):
        row, column = divmod(index, columns)
        sheet[row * size:(row + 1) * size, column * size:(column + 1) * size] = thumbnail
    return sheet, columns, rows


class SpinWriter:
    """Writes each frame's renditions as soon as it is rendered; only sprite thumbnails stay in
    memory. `finish` writes the sprite sheet and manifest.json."""

    def __init__(self, out_dir: Path, display_size: int, sprite_size: int, quality: int):
        self.out_dir, self.quality = out_dir, quality
        self.display_size, self.sprite_size = display_size, sprite_size
        self.thumbnails: list[np.ndarray] = []
        self.zoom_size = 0

    def add(self, frame: np.ndarray) -> dict:
        """Save one zoom-size frame and its display rendition; return their relative paths."""
        name = f"{len(self.thumbnails):03d}.jpg"
        save_jpeg(frame, self.out_dir / "zoom" / name, self.quality)
        save_jpeg(resize(frame, self.display_size), self.out_dir / "display" / name, self.quality)
        self.thumbnails.append(resize(frame, self.sprite_size))
        self.zoom_size = frame.shape[0]
        return {"display": f"display/{name}", "zoom": f"zoom/{name}"}

    def finish(self, manifest: dict) -> dict:
        sheet, columns, rows = sprite_sheet(self.thumbnails)
        save_jpeg(sheet, self.out_dir / "sprite.jpg", self.quality)
        manifest = {**manifest, "sprite": {"file": "sprite.jpg", "columns": columns, "rows": rows,
                                           "frame_size": self.sprite_size},
                    "display_size": self.display_size, "zoom_size": self.zoom_size}
        (self.out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2))
        return manifest
