"""Cache the frozen trunk's feature maps once, so heads train for many epochs in seconds.

The trunk is frozen (fine-tuning it is out of reach on a CPU), so its (1280, 7, 7) maps per
image are computed once (on the GPU when there is one), in float16, for two views (as is and
mirrored), and stored under `.local/vision/features/` keyed by the sample list's hash. GeM's p
stays learnable because the spatial maps, not pooled vectors, are cached.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import ImageOps
from tqdm import tqdm

from vision.datasets import Sample, data_hash
from vision.images import open_image
from vision.onnx_graphs import CACHE_DIR
from vision.trunk import INPUT_SIZE, feature_extractor, prepare

VIEWS = 2  # original, mirrored


def views(sample: Sample) -> np.ndarray:
    image = open_image(sample.path, draft=INPUT_SIZE * 2)
    return prepare([image, ImageOps.mirror(image)])


def cached_features(name: str, samples: list[Sample], trunk=None, batch_size: int = 32,
                    cache_dir: Path = CACHE_DIR / "features") -> np.ndarray:
    """(N, VIEWS, 1280, 7, 7) float16 feature maps for `samples` (memory-mapped, read-only)."""
    path = cache_dir / f"{name}-{data_hash(samples)}.npy"
    if not path.is_file():
        if trunk is None:
            trunk = feature_extractor()
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.npy")
        out = None
        for start in tqdm(range(0, len(samples), batch_size), desc=f"features {name}",
                          unit="batch"):
            chunk = samples[start:start + batch_size]
            pixels = np.concatenate([views(sample) for sample in chunk])
            maps = trunk(pixels).astype(np.float16)
            if out is None:
                out = np.lib.format.open_memmap(partial, mode="w+", dtype=np.float16,
                                                shape=(len(samples), VIEWS, *maps.shape[1:]))
            out[start:start + len(chunk)] = maps.reshape(len(chunk), VIEWS, *maps.shape[1:])
        out.flush()
        del out
        partial.replace(path)
    return np.load(path, mmap_mode="r")
