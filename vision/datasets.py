"""Training/evaluation samples from the shared data folder (`../shared/data`, see its README).

Each dataset yields `Sample`s: an image path, its split, and labels per task. Labels come from
the datasets' own annotations, and weak labels from listing-like text (`vision.weak_labels`).

- clothing: 17 garment labels → fashion slugs (category), kids flag (audience); a fixed seeded
  80/20 split by file name hash (the set has no official split).
- grocery: 81 products (identity), 42 coarse product types, fruit/vegetables/dairy/juice
  (category); train.txt/val.txt splits; each product's catalogue ("iconic") image is an extra
  training view; product descriptions give weak colour labels.
"""
from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from vision.weak_labels import labels_from_text

CLOTHING_TO_SLUG = {
    "T-Shirt": "t-shirts", "Shirt": "shirts", "Polo": "polos", "Longsleeve": "long-sleeves",
    "Top": "tops-blouses", "Blouse": "tops-blouses", "Hoodie": "hoodies",
    "Undershirt": "undershirts", "Body": "bodysuits", "Outwear": "outerwear",
    "Blazer": "blazers", "Dress": "dresses", "Skirt": "skirts", "Pants": "pants",
    "Shorts": "shorts", "Shoes": "shoes", "Hat": "hats",
}
GROCERY_FOLDER_TO_SLUG = {"Fruit": "fruit", "Vegetables": "vegetables"}
GROCERY_PACKAGE_TO_SLUG = {"Juice": "juice"}  # every other package type is a dairy product
CLOTHING_HELDOUT_SHARE = 0.2


@dataclass
class Sample:
    path: Path
    dataset: str
    split: str  # "train" or "val"
    labels: dict[str, object] = field(default_factory=dict)  # task → label (or set of labels)
    catalogue: bool = False  # a seller's catalogue image rather than a shop/phone photo


def heldout(name: str, share: float = CLOTHING_HELDOUT_SHARE) -> bool:
    """A fixed split: a file is held out when its name hashes below `share` (seed-free, stable)."""
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < share


def clothing(root: Path) -> list[Sample]:
    base = root / "clothing"
    samples = []
    with open(base / "labels.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            slug = CLOTHING_TO_SLUG.get(row["label"])
            if slug is None:
                continue
            audience = "kids" if row["kids"].strip() == "True" else "adult"
            samples.append(Sample(
                base / "images" / row["image"], "clothing",
                "val" if heldout(row["image"]) else "train",
                {"category": slug, "audience": audience, "garments": {slug}}))
    return samples


def grocery(root: Path) -> list[Sample]:
    base = root / "grocery"
    products = {}
    with open(base / "classes.csv", newline="") as fh:
        for row in csv.reader(fh):
            if not row[1].strip().isdigit():
                continue
            name, fine_id, coarse, _, iconic, description = [c.strip() for c in row]
            folder = iconic.strip("/").split("/")[1]
            slug = GROCERY_FOLDER_TO_SLUG.get(folder) or GROCERY_PACKAGE_TO_SLUG.get(coarse,
                                                                                   "dairy")
            text = (base / description.lstrip("/")).read_text(errors="replace")
            products[int(fine_id)] = {
                "category": slug, "product": coarse, "identity": name,
                "colours": labels_from_text(text).colours, "iconic": base / iconic.lstrip("/")}
    samples = []
    for split in ("train", "val"):
        for line in (base / f"{split}.txt").read_text().splitlines():
            if not line.strip():
                continue
            path, fine_id, _ = [c.strip() for c in line.split(",")]
            info = products[int(fine_id)]
            samples.append(Sample(base / path, "grocery", split,
                                  {k: v for k, v in info.items() if k != "iconic"}))
    for info in products.values():
        samples.append(Sample(info["iconic"], "grocery", "train",
                              {k: v for k, v in info.items() if k != "iconic"}, catalogue=True))
    return samples


LOADERS = {"clothing": clothing, "grocery": grocery}


def load(name: str, root: Path) -> list[Sample]:
    return LOADERS[name](Path(root))


def data_hash(samples: list[Sample]) -> str:
    """Hash of the exact sample list: paths, file sizes, splits and labels."""
    digest = hashlib.sha256()
    for sample in samples:
        labels = {k: sorted(v) if isinstance(v, set) else v for k, v in sample.labels.items()}
        digest.update(f"{sample.path.name}|{sample.path.stat().st_size}|{sample.split}|"
                      f"{sorted(labels.items())}\n".encode())
    return digest.hexdigest()[:16]
