"""The trained colour head: what colour a person would call the product in a photo.

The model-free estimate (`vision.colour`) names pixels by fixed CIELAB thresholds, so it cannot
learn that denim whose pixels are a neutral dark grey is called blue, or that a black hat under a
blue cast is still black. This head is a small multi-layer perceptron over two kinds of evidence,
both pooled over the object rather than the background:

- `vision.colour.head_statistics`: the names' object shares, the texture, the mean colour of
  the top name and of the border ring (the scene's light);
- the trunk's maps at the `vision.trunk.COLOUR_TAPS` blocks (block 4 still carries colour,
  block 10 fabric and print), averaged with the object weights over the trunk's crop.

A few members fitted from different seeds vote (their probabilities are averaged), which steadies
the answer on the close calls a small labelled set is full of. It is trained on hand-labelled
photos (`vision.train`, the config's `colour` section) and shipped inside the model checkpoint;
without one the engine falls back to the model-free answer.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

ARRAYS = ("mean", "scale", "hidden_weight", "hidden_bias", "output_weight", "output_bias")


@dataclass(frozen=True)
class FitSettings:
    """How the head is fitted (the defaults were chosen by 5-fold cross-validation)."""

    hidden: int = 128
    members: int = 3
    epochs: int = 100
    batch_size: int = 64
    learning_rate: float = 1e-3
    weight_decay: float = 0.05
    dropout: float = 0.5  # on the hidden layer; half of it on the inputs
    label_smoothing: float = 0.1


@dataclass
class ColourHead:
    labels: list[str]
    mean: np.ndarray  # (features,) standardisation
    scale: np.ndarray
    hidden_weight: np.ndarray  # (members, features, hidden)
    hidden_bias: np.ndarray  # (members, hidden)
    output_weight: np.ndarray  # (members, hidden, labels)
    output_bias: np.ndarray  # (members, labels)

    @property
    def inputs(self) -> int:
        return self.mean.shape[0]

    def probabilities(self, inputs: np.ndarray) -> np.ndarray:
        """(B, features) `head_inputs` → (B, labels) probabilities, the members' mean."""
        x = ((inputs - self.mean) / self.scale).astype(np.float32)
        hidden = gelu(x @ self.hidden_weight + self.hidden_bias[:, None])  # (members, B, hidden)
        logits = hidden @ self.output_weight + self.output_bias[:, None]
        logits -= logits.max(axis=2, keepdims=True)
        exp = np.exp(logits)
        return (exp / exp.sum(axis=2, keepdims=True)).mean(axis=0)

    def state(self) -> dict:
        """For the checkpoint (torch.load with weights_only=True reads it back)."""
        return {"labels": list(self.labels),
                **{name: torch.from_numpy(np.asarray(getattr(self, name), np.float32))
                   for name in ARRAYS}}

    @classmethod
    def from_state(cls, state: dict) -> "ColourHead":
        missing = [name for name in ARRAYS if name not in state]
        if missing:  # e.g. the logistic-regression head of checkpoints before 2026.11.26-262c68b9
            raise ValueError(f"not a colour head of this code (no {', '.join(missing)}): "
                             "retrain the checkpoint with `python -m vision.train`")
        return cls(list(state["labels"]), *(state[name].numpy().astype(np.float32)
                                            for name in ARRAYS))


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh form (as `nn.GELU(approximate="tanh")`, which the members are trained with)."""
    return 0.5 * x * (1.0 + np.tanh(np.float32(0.7978845608) * (x + 0.044715 * x ** 3)))


def head_inputs(statistics: np.ndarray, maps: np.ndarray, crop_weights: np.ndarray) -> np.ndarray:
    """(B, features): each photo's `vision.colour.head_statistics`, then its tapped maps (the
    graph's `colour_maps`, (B, C, g, g)) averaged with its object weights over the trunk's crop
    ((B, g, g), each summing to 1)."""
    object_maps = np.einsum("bchw,bhw->bc", maps.astype(np.float32),
                            crop_weights.astype(np.float32))
    return np.concatenate([statistics, object_maps], axis=1).astype(np.float32)


def fit(inputs: np.ndarray, targets: np.ndarray, labels: list[str],
        settings: FitSettings = FitSettings()) -> ColourHead:
    """Fit the members (AdamW, dropout, label smoothing) on standardised inputs; `targets` index
    into `labels`. Deterministic: member k starts from seed k, and the global RNG is left as it
    was."""
    mean = inputs.mean(axis=0)
    scale = inputs.std(axis=0) + 1e-6
    x = torch.from_numpy(((inputs - mean) / scale).astype(np.float32))
    y = torch.from_numpy(np.asarray(targets, dtype=np.int64))
    members = [_fit_member(x, y, len(labels), settings, seed) for seed in range(settings.members)]
    stacked = [np.stack([member[i] for member in members]) for i in range(4)]
    return ColourHead(list(labels), mean.astype(np.float32), scale.astype(np.float32), *stacked)


def _fit_member(x: torch.Tensor, y: torch.Tensor, classes: int, settings: FitSettings,
                seed: int) -> list[np.ndarray]:
    """One member's [hidden weight (features, hidden), hidden bias, output weight, bias]."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        hidden, output = nn.Linear(x.shape[1], settings.hidden), nn.Linear(settings.hidden, classes)
        net = nn.Sequential(nn.Dropout(settings.dropout / 2), hidden, nn.GELU(approximate="tanh"),
                            nn.Dropout(settings.dropout), output)
        optimiser = torch.optim.AdamW(net.parameters(), settings.learning_rate,
                                      weight_decay=settings.weight_decay)
        for _ in range(settings.epochs):
            for rows in torch.randperm(len(y)).split(settings.batch_size):
                loss = F.cross_entropy(net(x[rows]), y[rows],
                                       label_smoothing=settings.label_smoothing)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
    return [hidden.weight.detach().T.numpy().copy(), hidden.bias.detach().numpy().copy(),
            output.weight.detach().T.numpy().copy(), output.bias.detach().numpy().copy()]


def cross_validated_accuracy(inputs: np.ndarray, targets: np.ndarray, labels: list[str],
                             settings: FitSettings = FitSettings(), folds: int = 5) -> float:
    """Share of photos whose label a head fitted on the other folds predicts (fold k holds
    every `folds`-th photo from k)."""
    targets = np.asarray(targets)
    hits = 0
    for fold in range(folds):
        held = np.arange(fold, len(targets), folds)
        kept = np.setdiff1d(np.arange(len(targets)), held)
        head = fit(inputs[kept], targets[kept], labels, settings)
        hits += int((head.probabilities(inputs[held]).argmax(axis=1) == targets[held]).sum())
    return hits / len(targets)
