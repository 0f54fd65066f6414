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


def sprite_sheet(frames: list[np.ndarray], size: int) -> tuple[np.ndarray, int, int]:
    """All frames at `size`² in a near-square grid: (sheet, columns, rows)."""
    columns = math.ceil(math.sqrt(len(frames)))
    rows = math.ceil(len(frames) / columns)
    sheet = np.full((rows * size, columns * size, 3), 255, np.uint8)
    for index, frame in enumerate(frames):
        row, column = divmod(index, columns)
        sheet[row * size:(row + 1) * size, column * size:(column + 1) * size] = resize(frame, size)
    return sheet, columns, rows


def write_spin(out_dir: Path, zoom_frames: list[np.ndarray], display_size: int,
               sprite_size: int, quality: int, manifest: dict) -> dict:
    """Write every rendition under `out_dir` and return the manifest with their relative paths."""
    for index, frame in enumerate(zoom_frames):
        manifest["frames"][index]["zoom"] = f"zoom/{index:03d}.jpg"
        manifest["frames"][index]["display"] = f"display/{index:03d}.jpg"
        save_jpeg(frame, out_dir / "zoom" / f"{index:03d}.jpg", quality)
        save_jpeg(resize(frame, display_size), out_dir / "display" / f"{index:03d}.jpg", quality)
    sheet, columns, rows = sprite_sheet(zoom_frames, sprite_size)
    save_jpeg(sheet, out_dir / "sprite.jpg", quality)
    manifest["sprite"] = {"file": "sprite.jpg", "columns": columns, "rows": rows,
                          "frame_size": sprite_size}
    manifest["display_size"] = display_size
    manifest["zoom_size"] = zoom_frames[0].shape[0]
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest
