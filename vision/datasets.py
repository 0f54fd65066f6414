"""Training/evaluation samples from the shared data folder (`../shared/data`, see its README).

Each dataset yields `Sample`s: an image path, its split, and labels per task. Labels come from
the datasets' own annotations, and weak labels from listing-like text (`vision.weak_labels`).

- clothing: 17 garment labels → fashion slugs (category), kids flag (audience); a fixed seeded
  80/20 split by file name hash (the set has no official split).
- grocery: 81 products (identity), 42 coarse product types, fruit/vegetables/dairy/juice
  (category); train.txt/val.txt splits; each product's catalogue ("iconic") image is an extra
  training view; product descriptions give weak colour labels.
- marketplace: a folder written by `manage.py export_training_data` (the site's listings): one
  JSON line per photo in `manifest.jsonl`. The listing is the product (identity); category,
  colours and materials are weak labels from its title and description with the seller's
  confirmed tags and chosen category on top; a fixed 80/20 split by listing, so a listing's
  photos are never on both sides.

Each loader reads one dataset's folder (`load(name, folder)`).
"""
from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from vision.weak_labels import WeakLabels, labels_from_text

CLOTHING_TO_SLUG = {
    "T-Shirt": "t-shirts", "Shirt": "shirts", "Polo": "polos", "Longsleeve": "long-sleeves",
    "Top": "tops-blouses", "Blouse": "tops-blouses", "Hoodie": "hoodies",
    "Undershirt": "undershirts", "Body": "bodysuits", "Outwear": "outerwear",
    "Blazer": "blazers", "Dress": "dresses", "Skirt": "skirts", "Pants": "pants",
    "Shorts": "shorts", "Shoes": "shoes", "Hat": "hats",
}
GROCERY_FOLDER_TO_SLUG = {"Fruit": "fruit", "Vegetables": "vegetables"}
GROCERY_PACKAGE_TO_SLUG = {"Juice": "juice"}  # every other package type is a dairy product
HELDOUT_SHARE = 0.2
MARKETPLACE_MANIFEST = "manifest.jsonl"


@dataclass
class Sample:
    path: Path
    dataset: str
    split: str  # "train" or "val"
    labels: dict[str, object] = field(default_factory=dict)  # task → label (or set of labels)
    catalogue: bool = False  # a seller's catalogue image rather than a shop/phone photo


def heldout(name: str, share: float = HELDOUT_SHARE) -> bool:
    """A fixed split: a file is held out when its name hashes below `share` (seed-free, stable)."""
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < share


def clothing(base: Path) -> list[Sample]:
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


def grocery(base: Path) -> list[Sample]:
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


def marketplace(base: Path) -> list[Sample]:
    """Photos of an exported marketplace folder; listings without any taxonomy category (from
    the seller's choice, their tags or the text) are left out: every sample needs one."""
    samples = []
    with open(base / MARKETPLACE_MANIFEST, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            labels = listing_labels(row)
            if labels.category is None:
                continue
            identity = f"listing-{row['listing']}"
            samples.append(Sample(
                base / row["photo"], "marketplace", "val" if heldout(identity) else "train",
                {"category": labels.category, "identity": identity,
                 "colours": labels.colours, "materials": labels.materials}))
    return samples


def listing_labels(row: dict) -> WeakLabels:
    """Weak labels of one exported listing: its title and description mined, the seller's
    confirmed tags on top, and last the category the seller chose (their current choice wins;
    a vertical such as "fashion" is not a fine category and leaves the choice to the rest)."""
    tags = [*row["confirmed"].values(), row["category"]]
    return labels_from_text(f"{row['title']}\n{row['description']}", tags)


LOADERS = {"clothing": clothing, "grocery": grocery, "marketplace": marketplace}


def load(name: str, folder: Path) -> list[Sample]:
    """The samples of dataset `name`, read from its folder."""
    return LOADERS[name](Path(folder))


def data_hash(samples: list[Sample]) -> str:
    """Hash of the exact sample list: paths, file sizes, splits and labels."""
    digest = hashlib.sha256()
    for sample in samples:
        labels = {k: sorted(v) if isinstance(v, set) else v for k, v in sample.labels.items()}
        digest.update(f"{sample.path.name}|{sample.path.stat().st_size}|{sample.split}|"
                      f"{sorted(labels.items())}\n".encode())
    return digest.hexdigest()[:16]
