"""The trunk and the whole forward pass under ONNX Runtime, exported into a local cache.

On this CPU ONNX Runtime runs EfficientNet-Lite0 several times faster than eager torch (see
`bench/vision_throughput.py`). Exported files are not shipped: each is rebuilt on first use (a
few seconds) into `$VISION_CACHE_DIR` (default `.local/vision/`), named by a hash of everything
that shapes it (weights, the modules' source, this module's export settings, torch's version),
so a stale graph is never used.
"""
from __future__ import annotations

import hashlib
import inspect
import os
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from vision.trunk import INPUT_SIZE

CACHE_DIR = Path(os.environ.get("VISION_CACHE_DIR", Path(__file__).resolve().parent.parent
                                / ".local" / "vision"))


def graph_path(name: str, module: nn.Module) -> Path:
    """Where `module`'s export lives: keyed by its weights, its code, the export code (this
    file: opset, dynamic axes, exporter) and torch's version."""
    digest = hashlib.sha256(torch.__version__.encode())
    for tensor in module.state_dict().values():
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    for source in sorted({inspect.getsourcefile(type(m)) for m in module.modules()}):
        digest.update(Path(source).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return CACHE_DIR / f"{name}-{digest.hexdigest()[:12]}.onnx"


def export(module: nn.Module, example: torch.Tensor, path: Path, output_names) -> Path:
    """Export `module` (dynamic batch) to `path` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    dynamic = {"input": {0: "batch"}, **{name: {0: "batch"} for name in output_names}}
    with warnings.catch_warnings():  # the exporter's shape-inference chatter
        warnings.simplefilter("ignore")
        torch.onnx.export(module.eval(), (example,), str(tmp), input_names=["input"],
                          output_names=list(output_names), opset_version=17, dynamo=False,
                          dynamic_axes=dynamic)
    tmp.replace(path)
    return path


def exported(name: str, module: nn.Module, example: torch.Tensor, output_names) -> Path:
    """`module`'s ONNX file in the cache, exported first if it is not there yet."""
    path = graph_path(name, module)
    if not path.is_file():
        export(module, example, path, output_names)
    return path


class OnnxGraph:
    """An exported graph run by ONNX Runtime: `graph(array)` → list of outputs."""

    def __init__(self, path: Path, output_names, threads: int | None = None, spin: bool = False):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # By default idle worker threads spin for ~40 ms after each run, burning the cores that
        # decoding the next images needs (bench/vision_throughput.py).
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
        if threads:
            options.intra_op_num_threads = threads
        self.output_names = list(output_names)
        self.session = ort.InferenceSession(str(path), options,
                                            providers=["CPUExecutionProvider"])

    def __call__(self, array: np.ndarray) -> list[np.ndarray]:
        return self.session.run(self.output_names, {"input": array})


class OnnxTrunk:
    """The trunk alone: scaled (B, 3, 224, 224) float32 pixels → (B, 1280, 7, 7) feature maps."""

    def __init__(self, trunk: nn.Module | None = None, spin: bool = False):
        from vision.trunk import Trunk

        path = exported("efficientnet-lite0-features", trunk or Trunk(),
                        torch.zeros(1, 3, INPUT_SIZE, INPUT_SIZE), ["features"])
        self.graph = OnnxGraph(path, ["features"], spin=spin)

    def __call__(self, pixels: np.ndarray) -> np.ndarray:
        return self.graph(pixels)[0]


def inference_graphs(model: nn.Module) -> tuple[OnnxGraph, OnnxGraph]:
    """(B, 224, 224, 3) uint8 crops → the `InferenceModel`'s outputs: one session on every core
    (one batch at a time) and one on a single core (a batch per core), from one export."""
    path = exported("groknet-inference", model,
                    torch.zeros(1, INPUT_SIZE, INPUT_SIZE, 3, dtype=torch.uint8),
                    model.output_names)
    return OnnxGraph(path, model.output_names), OnnxGraph(path, model.output_names, threads=1)
