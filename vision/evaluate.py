"""Evaluate the shipped model against the plain ImageNet trunk.

    python -m vision.evaluate retrieval DIR --json
        DIR has one sub-folder per product (several photos each). Prints n, recall@1/5/10
        (leave-one-out, cosine) for the shipped model and, under "baseline", for the
        average-pooled ImageNet trunk, both computed in this run.
    python -m vision.evaluate colour CSV [--images DIR] --json
        CSV rows: image,colour (a hand-checked sample); prints the engine's agreement. Image
        paths are relative to the CSV's folder, or to DIR (e.g. the dev list's photos live in
        /work/shared/data/clothing/images).
    python -m vision.evaluate distances DATA --json
        DATA holds grocery/ and clothing/ (../shared/data). Prints the cosine distances of the
        shipped embedding between held-out photos (grocery val, clothing's held-out 20 %), per
        kind of pair: percentiles of all pairs and the share within each candidate similarity
        floor, and the same of each photo's nearest photo of that kind. The similar-items floor
        of photo search was chosen from these (README, "Search").
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff", ".heic"}
KS = (1, 5, 10)
PERCENTILES = (5, 10, 25, 50, 75, 90, 95)
FLOOR_CANDIDATES = tuple(round(0.30 + 0.05 * i, 2) for i in range(9))  # 0.30 … 0.70


def recall_at_k(embeddings: np.ndarray, labels, ks=KS) -> dict[str, float]:
    """Leave-one-out Recall@k with cosine similarity: the share of queries whose k nearest
    other items include one with the same label (queries without any same-label item skipped)."""
    labels = np.asarray(labels)
    normed = _normalise(embeddings)
    similarity = normed @ normed.T
    np.fill_diagonal(similarity, -np.inf)
    same = labels[:, None] == labels[None, :]
    np.fill_diagonal(same, False)
    queries = same.any(axis=1)
    order = np.argsort(-similarity, axis=1)
    hits = np.take_along_axis(same, order, axis=1)
    return {f"recall@{k}": round(float(hits[queries, :k].any(axis=1).mean()), 4) for k in ks}


def gallery_recall(queries: np.ndarray, query_labels, gallery: np.ndarray, gallery_labels,
                   ks=KS) -> dict[str, float]:
    """Recall@k of queries against a separate gallery (e.g. shop photo → catalogue image)."""
    similarity = _normalise(queries) @ _normalise(gallery).T
    order = np.argsort(-similarity, axis=1)
    hits = np.asarray(gallery_labels)[order] == np.asarray(query_labels)[:, None]
    return {f"recall@{k}": round(float(hits[:, :k].any(axis=1).mean()), 4) for k in ks}


def _normalise(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True).clip(1e-12)


# -- metrics on the cached training data (used by vision.train) --------------------------------
def _outputs(head, split, rows: np.ndarray) -> dict[str, np.ndarray]:
    import torch

    from vision.inference import InferenceModel
    from vision.zeroshot import mapping_matrix

    model = InferenceModel(load_trunk(), head)
    features = torch.from_numpy(split.features[rows, 0].astype(np.float32))
    with torch.inference_mode():
        return model.named(model.from_features(features), mapping_matrix()[0])


@lru_cache(maxsize=1)
def load_trunk():
    from vision.trunk import Trunk

    return Trunk()


def training_metrics(head, splits) -> dict[str, float]:
    """Quick held-out metrics for the training curves: head accuracy and identity Recall@1."""
    metrics = {}
    for name, split in splits.items():
        if not len(split.val):  # a small export may hold no held-out listing yet
            continue
        outputs = _outputs(head, split, split.val)
        if "category" in split.targets:
            predicted = outputs["category"].argmax(axis=1)
            truth = split.targets["category"][split.val].numpy()
            metrics[f"val/{name}/category_acc"] = float((predicted == truth).mean())
        key = "identity" if "identity" in split.targets else "category"
        labels = split.targets[key][split.val].numpy()
        metrics[f"val/{name}/R@1"] = recall_at_k(outputs["embedding"], labels, (1,))["recall@1"]
    return metrics


def heldout_metrics(head, splits) -> dict:
    """Final held-out figures, computed the way the engine predicts (zero-shot blend included)."""
    from vision.engine import blend_category
    from vision.taxonomy import vertical_of
    from vision.zeroshot import mapping_matrix

    verticals = vertical_of()
    slugs = list(mapping_matrix()[1])
    category_labels = next(s.labels for s in head.config.heads if s.name == "category")
    report = {}
    for name, split in splits.items():
        if not len(split.val):
            continue
        outputs = _outputs(head, split, split.val)
        truth = [split.samples[i].labels["category"] for i in split.val]
        blended = np.stack([blend_category(z, slugs, c, category_labels)
                            for z, c in zip(outputs["zeroshot"], outputs["category"])])
        predicted = [slugs[i] for i in blended.argmax(axis=1)]
        zero_shot = [slugs[i] for i in outputs["zeroshot"].argmax(axis=1)]
        identity = "identity" if "identity" in split.samples[0].labels else "category"
        labels = [split.samples[i].labels[identity] for i in split.val]
        entry = {
            "n_val": int(len(split.val)),
            "category_fine_acc": _accuracy(predicted, truth),
            "category_coarse_acc": _accuracy([verticals[p] for p in predicted],
                                             [verticals[t] for t in truth]),
            "zero_shot_fine_acc": _accuracy(zero_shot, truth),
            "zero_shot_coarse_acc": _accuracy([verticals[p] for p in zero_shot],
                                              [verticals[t] for t in truth]),
            "retrieval_by": identity,
            "retrieval": recall_at_k(outputs["embedding"], labels),
            "retrieval_baseline": recall_at_k(outputs["baseline"], labels),
        }
        for spec in head.config.heads:
            task = spec.name.removeprefix("attr:").split("@")[0]
            if spec.multi_label or task == "category" or task not in split.samples[0].labels:
                continue
            guess = [spec.labels[i] for i in outputs[spec.name].argmax(axis=1)]
            entry[f"{task}_acc"] = _accuracy(guess, [split.samples[i].labels[task]
                                                     for i in split.val])
        catalogue = np.array([i for i, s in enumerate(split.samples) if s.catalogue])
        if len(catalogue):
            gallery = _outputs(head, split, catalogue)
            gallery_labels = [split.samples[i].labels[identity] for i in catalogue]
            entry["shop_to_catalogue"] = gallery_recall(
                outputs["embedding"], labels, gallery["embedding"], gallery_labels)
            entry["shop_to_catalogue_baseline"] = gallery_recall(
                outputs["baseline"], labels, gallery["baseline"], gallery_labels)
        report[name] = entry
    return report


def _accuracy(predicted, truth) -> float:
    return round(float(np.mean([p == t for p, t in zip(predicted, truth)])), 4)


# -- command line ------------------------------------------------------------------------------
def folder_images(root: Path) -> tuple[list[Path], list[str]]:
    paths, labels = [], []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() in IMAGE_SUFFIXES:
                paths.append(path)
                labels.append(folder.name)
    return paths, labels


def embed(paths: list[Path], engine) -> tuple[dict[str, np.ndarray], list[int], list[str]]:
    """The engine's outputs (embedding, baseline, …) for the photos it can use, decoded as it
    decodes them; their indexes in `paths`; and why each other photo was skipped."""
    from vision.engine import load_one
    from vision.images import ImageError

    outputs, kept, skipped = [], [], []
    for start in range(0, len(paths), engine.batch_size):
        rows = range(start, min(start + engine.batch_size, len(paths)))
        loaded = dict(zip(rows, engine.pool.map(load_one, [paths[i] for i in rows])))
        skipped += [f"{paths[i]}: {item}" for i, item in loaded.items()
                    if isinstance(item, ImageError)]
        good = [i for i, item in loaded.items() if not isinstance(item, ImageError)]
        if good:
            outputs.append(engine.forward(np.stack([loaded[i][0] for i in good])))
            kept.extend(good)
    if not kept:
        return {}, kept, skipped
    return {name: np.concatenate([batch[name] for batch in outputs])
            for name in outputs[0]}, kept, skipped


def retrieval(root: Path, engine) -> dict:
    """Recall@k of the shipped embedding and of the average-pooled ImageNet trunk. Photos are
    decoded as the engine decodes them; one it cannot use is skipped and listed."""
    paths, labels = folder_images(root)
    outputs, kept, skipped = embed(paths, engine)
    if not kept:
        raise SystemExit(f"no readable images under {root}")
    kept_labels = [labels[i] for i in kept]
    return {"n": len(kept), "products": len(set(kept_labels)),
            **recall_at_k(outputs["embedding"], kept_labels),
            "baseline": recall_at_k(outputs["baseline"], kept_labels),
            "model_version": engine.model_version, "skipped": skipped}


# -- distances: how far apart photos of the same and of unrelated things lie -------------------
def heldout_photos(data: Path) -> tuple[list[Path], list[tuple[str | None, ...]]]:
    """The held-out photos of grocery (val) and clothing (the fixed 20 %), with their labels
    from the broadest to the narrowest: (dataset, vertical, category, coarse class, fine class).
    Grocery's coarse class is its product type (Apple), its fine class the product
    (Granny-Smith); clothing has neither (None), only its garment category."""
    from vision.datasets import load
    from vision.taxonomy import vertical_of

    verticals = vertical_of()
    paths, labels = [], []
    for name in ("grocery", "clothing"):
        for sample in load(name, data / name):
            if sample.split != "val" or sample.catalogue:
                continue
            category = sample.labels["category"]
            paths.append(sample.path)
            labels.append((name, verticals[category], category, sample.labels.get("product"),
                           sample.labels.get("identity")))
    return paths, labels


def pair_kind(a: tuple[str | None, ...], b: tuple[str | None, ...]) -> str:
    """E.g. "grocery: same coarse class" (Granny-Smith and Golden-Delicious): the narrowest
    label the two photos share; "other vertical" when they share none (a banana, a shirt)."""
    if a[1] != b[1]:
        return "other vertical"
    level = next(level for level in (4, 3, 2, 1) if a[level] is not None and a[level] == b[level])
    return f"{a[0]}: same {('vertical', 'category', 'coarse class', 'fine class')[level - 1]}"


def distances(data: Path, engine) -> dict:
    """Cosine distances of the shipped embedding between held-out photos, by kind of pair
    (`pair_kind`): percentiles of all pairs and the share within each candidate similarity
    floor; the same of each photo's nearest photo of that kind (what a search shows first)."""
    paths, labels = heldout_photos(data)
    outputs, kept, skipped = embed(paths, engine)
    if not kept:
        raise SystemExit(f"no readable held-out photos under {data}")
    labels = [labels[i] for i in kept]
    normed = _normalise(outputs["embedding"])
    distance = 1.0 - normed @ normed.T
    kinds = np.array([[pair_kind(a, b) for b in labels] for a in labels])
    np.fill_diagonal(kinds, "")
    upper = np.triu(np.ones_like(distance, dtype=bool), k=1)
    report = {}
    for kind in sorted(set(kinds[upper])):
        pairs = distance[upper & (kinds == kind)]
        nearest = np.where(kinds == kind, distance, np.inf).min(axis=1)
        nearest = nearest[np.isfinite(nearest)]
        report[kind] = {"pairs": int(pairs.size), "percentiles": _percentiles(pairs),
                        "within": _within(pairs), "nearest_percentiles": _percentiles(nearest),
                        "nearest_within": _within(nearest)}
    return {"n": {name: sum(label[0] == name for label in labels) for name in
                  ("grocery", "clothing")},
            "kinds": report, "model_version": engine.model_version, "skipped": skipped}


def _within(values: np.ndarray) -> dict[str, float]:
    return {f"{floor:.2f}": round(float((values <= floor).mean()), 4)
            for floor in FLOOR_CANDIDATES}


def _percentiles(values: np.ndarray) -> dict[str, float]:
    return {f"p{q}": round(float(v), 3) for q, v in zip(PERCENTILES,
                                                          np.percentile(values, PERCENTILES))}


def colour_agreement(csv_path: Path, engine, images: Path | None = None) -> dict:
    with open(csv_path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    paths = [(images or csv_path.parent) / row["image"] for row in rows]
    results = engine.run(paths)
    mismatches = [{"image": row["image"], "checked": row["colour"], "predicted": r.colour.label}
                  for row, r in zip(rows, results) if r.ok and r.colour.label != row["colour"]]
    n = sum(r.ok for r in results)
    return {"n": n, "agreement": round(1 - len(mismatches) / max(n, 1), 4),
            "mismatches": mismatches, "model_version": engine.model_version}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vision.evaluate",
                                     description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("retrieval", help="Recall@k on DIR/<product>/<photos>")
    r.add_argument("dir", type=Path)
    c = sub.add_parser("colour", help="agreement with a hand-checked colour CSV")
    c.add_argument("csv", type=Path)
    c.add_argument("--images", type=Path, default=None,
                   help="folder the CSV's image paths are relative to (default: the CSV's)")
    d = sub.add_parser("distances", help="cosine distances between held-out photos, by kind")
    d.add_argument("data", type=Path, help="the folder holding grocery/ and clothing/")
    for p in (r, c, d):
        p.add_argument("--json", action="store_true")
        p.add_argument("--device", default=None)
    args = parser.parse_args(argv)

    from vision.engine import Engine

    engine = Engine(device=args.device)
    if args.command == "retrieval":
        if not args.dir.is_dir():
            parser.error(f"not a directory: {args.dir}")
        report = retrieval(args.dir, engine)
    elif args.command == "distances":
        report = distances(args.data, engine)
    else:
        report = colour_agreement(args.csv, engine, args.images)
    print(json.dumps(report) if args.json else json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
