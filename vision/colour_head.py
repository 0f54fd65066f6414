"""The trained colour head: what colour a person would call the product in a photo.

The model-free estimate (`vision.colour`) names pixels by fixed CIELAB thresholds, so it cannot
learn that denim whose pixels are a neutral dark grey is called blue, or that a black hat under a
blue cast is still black. This head is a multinomial logistic regression over two kinds of
evidence, both pooled over the object rather than the background:

- `vision.colour.head_statistics`: the names' object shares, the texture, the mean colour of
  the top name and of the border ring (the scene's light);
- the trunk's early feature maps (block `vision.trunk.EARLY_BLOCK`: 40 channels that still carry
  colour and fabric, unlike the final ones), averaged with the object weights over the trunk's
  crop.

It is trained on hand-labelled photos (`vision.train`, the config's `colour` section) and
shipped inside the model checkpoint; without one the engine falls back to the model-free answer.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F


@dataclass
class ColourHead:
    labels: list[str]
    mean: np.ndarray  # (features,) standardisation
    scale: np.ndarray
    weight: np.ndarray  # (features, labels)
    bias: np.ndarray  # (labels,)

    def probabilities(self, inputs: np.ndarray) -> np.ndarray:
        """(B, features) `head_inputs` → (B, labels) softmax probabilities."""
        logits = (inputs - self.mean) / self.scale @ self.weight + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def state(self) -> dict:
        """For the checkpoint (torch.load with weights_only=True reads it back)."""
        return {"labels": list(self.labels),
                **{name: torch.from_numpy(np.asarray(getattr(self, name), np.float32))
                   for name in ("mean", "scale", "weight", "bias")}}

    @classmethod
    def from_state(cls, state: dict) -> "ColourHead":
        return cls(list(state["labels"]), *(state[name].numpy().astype(np.float32)
                                            for name in ("mean", "scale", "weight", "bias")))


def head_inputs(statistics: np.ndarray, maps: np.ndarray, crop_weights: np.ndarray) -> np.ndarray:
    """(B, features): each photo's `vision.colour.head_statistics`, then its early maps (the
    graph's `colour_maps`, (B, C, g, g)) averaged with its object weights over the trunk's crop
    ((B, g, g), each summing to 1)."""
    object_maps = np.einsum("bchw,bhw->bc", maps.astype(np.float32),
                            crop_weights.astype(np.float32))
    return np.concatenate([statistics, object_maps], axis=1).astype(np.float32)


def fit(inputs: np.ndarray, targets: np.ndarray, labels: list[str], l2: float) -> ColourHead:
    """Multinomial logistic regression (L-BFGS, L2 penalty `l2` on the weights) on standardised
    inputs; `targets` index into `labels`. Deterministic: no random initialisation."""
    mean = inputs.mean(axis=0)
    scale = inputs.std(axis=0) + 1e-6
    x = torch.from_numpy(((inputs - mean) / scale).astype(np.float64))
    y = torch.from_numpy(np.asarray(targets, dtype=np.int64))
    weight = torch.zeros(inputs.shape[1], len(labels), dtype=torch.float64, requires_grad=True)
    bias = torch.zeros(len(labels), dtype=torch.float64, requires_grad=True)
    optimiser = torch.optim.LBFGS([weight, bias], max_iter=500, tolerance_grad=1e-9,
                                  line_search_fn="strong_wolfe")

    def closure():
        optimiser.zero_grad()
        loss = F.cross_entropy(x @ weight + bias, y) + l2 * (weight ** 2).sum()
        loss.backward()
        return loss

    optimiser.step(closure)
    return ColourHead(list(labels), mean.astype(np.float32), scale.astype(np.float32),
                      weight.detach().numpy().astype(np.float32),
                      bias.detach().numpy().astype(np.float32))


def cross_validated_accuracy(inputs: np.ndarray, targets: np.ndarray, labels: list[str],
                             l2: float, folds: int = 5) -> float:
    """Share of photos whose label a head fitted on the other folds predicts (fold k holds
    every `folds`-th photo from k)."""
    targets = np.asarray(targets)
    hits = 0
    for fold in range(folds):
        held = np.arange(fold, len(targets), folds)
        kept = np.setdiff1d(np.arange(len(targets)), held)
        head = fit(inputs[kept], targets[kept], labels, l2)
        hits += int((head.probabilities(inputs[held]).argmax(axis=1) == targets[held]).sum())
    return hits / len(targets)
