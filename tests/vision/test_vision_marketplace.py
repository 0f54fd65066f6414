"""The marketplace export as a training dataset: labels mined from it, and a tiny training run
that mixes it with the grocery and clothing sets."""
import json
from functools import partial
from pathlib import Path

import pytest
import torch

from tests.vision.synthetic_data import make_data_root, make_marketplace_export
from vision import datasets
from vision.features import cached_features
from vision.train import DatasetConfig, TrainConfig, train

ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = {10, 11, 14}  # listing ids that `datasets.heldout` puts in the val split
LISTINGS = [  # id, title, description, seller's category, confirmed tags, colour, photos
    (1, "Cotton t-shirt", "Soft, with a red print.", "shirts",
     {"category": "shirts", "colour": "Navy"}, (30, 60, 190), 3),
    (2, "Wool coat", "Warm and long.", "fashion", {}, (90, 70, 50), 3),
    (3, "Summer dress", "Light linen with pink flowers.", "dresses", {}, (220, 120, 170), 3),
    (4, "Mystery box", "Nothing to say.", "fashion", {}, (128, 128, 128), 2),
    (5, "Canvas bag", "Roomy.", "bags", {"category": "accessories", "material": "cotton"},
     (200, 190, 150), 3),
    (10, "Oak table", "Solid dining table.", "furniture", {"material": "wood"},
     (150, 100, 60), 3),
    (11, "Old lamp", "Brass lamp with a cream shade.", "lighting", {}, (240, 230, 200), 3),
    (14, "Leather boots", "Brown, size 42.", "shoes", {"colour": "black"}, (40, 30, 20), 3),
]


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    make_marketplace_export(folder, LISTINGS)
    return folder


def by_listing(samples):
    found = {}
    for sample in samples:
        found.setdefault(int(sample.labels["identity"].removeprefix("listing-")), []).append(
            sample)
    return found


def test_labels_come_from_text_with_the_sellers_answers_on_top(export):
    listings = by_listing(datasets.load("marketplace", export))
    shirt = listings[1][0].labels
    # text says t-shirt and red; the seller chose "shirts" and confirmed navy (blue)
    assert shirt["category"] == "shirts"
    assert shirt["colours"] == {"red", "blue"} and shirt["materials"] == {"cotton"}
    # a vertical is not a fine category: the text's "coat" decides
    assert listings[2][0].labels["category"] == "outerwear"
    assert listings[2][0].labels["materials"] == {"wool"}
    # the listing's category (the seller's current choice) beats an older confirmed answer
    assert listings[5][0].labels["category"] == "bags"
    assert listings[5][0].labels["materials"] == {"cotton"}
    assert listings[10][0].labels["materials"] == {"wood"}
    assert listings[11][0].labels["colours"] == {"beige"}
    assert listings[14][0].labels["colours"] == {"brown", "black"}


def test_listings_are_products_and_never_straddle_the_split(export):
    samples = datasets.load("marketplace", export)
    listings = by_listing(samples)
    assert 4 not in listings  # no fine category anywhere: left out
    assert {n: len(s) for n, s in listings.items()} == {1: 3, 2: 3, 3: 3, 5: 3, 10: 3, 11: 3,
                                                         14: 3}
    for number, photos in listings.items():
        assert {s.split for s in photos} == {"val" if number in HELD_OUT else "train"}
        assert len({s.path for s in photos}) == len(photos)
        assert all(s.path.is_file() and s.dataset == "marketplace" for s in photos)


def test_the_example_config_adds_the_export_to_the_shipped_datasets():
    config = TrainConfig.from_yaml(ROOT / "vision/configs/marketplace.yaml")
    entries = {d.name: d for d in config.datasets}
    assert set(entries) == {"grocery", "clothing", "marketplace"}
    assert entries["marketplace"].folder(config.data_root) == Path(".local/training/marketplace")
    assert entries["grocery"].folder(config.data_root) == Path("../shared/data/grocery")
    assert {"identity", "pairs", "colours_all", "materials"} <= set(entries["marketplace"].tasks)
    assert sum(d.share for d in config.datasets) == pytest.approx(1.0)
    assert "weights/groknet_heads.pt" not in config.output  # never over the shipped model
    # the candidate gets the shipped model's colour head, fitted on the same labels
    assert config.colour == TrainConfig.from_yaml(ROOT / "vision/configs/default.yaml").colour
    assert config.colour is not None


@pytest.fixture(scope="module")
def trained(tmp_path_factory, export):
    root = tmp_path_factory.mktemp("data")
    make_data_root(root)
    out = tmp_path_factory.mktemp("out")
    config = TrainConfig(
        datasets=[DatasetConfig("grocery", 0.4, {"category": 1.0, "identity": 1.0,
                                                  "colours_all": 0.2}, per_identity=2),
                  DatasetConfig("clothing", 0.3, {"category": 1.0, "garments": 0.5}),
                  DatasetConfig("marketplace", 0.3, {"category": 1.0, "identity": 1.0,
                                                      "pairs": 1.0, "colours_all": 0.3,
                                                      "materials": 0.3},
                                per_identity=2, path=str(export))],
        data_root=str(root), steps=20, batch_size=16, eval_every=10, lr=0.01,
        output=str(out / "heads.pt"), plot=str(out / "curves.png"))
    train(config, features_fn=partial(cached_features, cache_dir=out / "features"),
          progress=False)
    return out / "heads.pt", export


def test_training_mixes_in_the_export_and_records_it(trained):
    weights, export = trained
    checkpoint = torch.load(weights, weights_only=True)
    meta = json.loads(checkpoint["meta"])
    assert meta["data_hashes"]["marketplace"] == datasets.data_hash(
        datasets.load("marketplace", export))
    [entry] = [d for d in meta["train_config"]["datasets"] if d["name"] == "marketplace"]
    assert entry["path"] == str(export)
    assert {"marketplace/identity", "marketplace/pairs", "marketplace/materials",
            "marketplace/colours_all", "grocery/colours_all"} <= {
        key[5:] for key in meta["history"][0] if key.startswith("loss/")}
    report = meta["metrics"]["marketplace"]
    assert report["n_val"] == 9 and report["retrieval_by"] == "identity"
    heads = {head["name"]: head for head in json.loads(checkpoint["config"])["heads"]}
    assert {"furniture", "lighting", "shoes", "shirts", "fruit", "t-shirts"} <= set(
        heads["category"]["labels"])
    assert set(heads["attr:materials"]["labels"]) == {"cotton", "wool", "linen", "wood",
                                                      "leather"}
    assert heads["attr:materials"]["multi_label"]
    assert {"blue", "red", "beige", "orange"} <= set(heads["attr:colours"]["labels"])


def test_the_engine_shows_the_unscoped_heads_for_any_category(trained, photos):
    from vision.engine import Engine

    weights, _ = trained
    [result] = Engine(device="cpu", weights=weights).run([photos["tshirt_white"]])
    assert result.ok and {"colours", "materials"} <= set(result.attributes)


def test_a_young_export_without_held_out_listings_still_trains(tmp_path):
    folder = tmp_path / "export"
    make_marketplace_export(folder, [row for row in LISTINGS if row[0] not in HELD_OUT])
    config = TrainConfig(
        datasets=[DatasetConfig("marketplace", 1.0, {"category": 1.0, "pairs": 1.0},
                                per_identity=2, path=str(folder))],
        steps=3, batch_size=8, eval_every=3, output=str(tmp_path / "heads.pt"),
        plot=str(tmp_path / "curves.png"))
    metrics = train(config, features_fn=partial(cached_features, cache_dir=tmp_path / "f"),
                    progress=False)
    assert metrics == {}  # nothing held out to measure yet
    assert json.loads(torch.load(tmp_path / "heads.pt", weights_only=True)["meta"])["history"]
