"""A tiny end-to-end training run on a synthetic data folder laid out like ../shared/data."""
import json
from functools import partial

import pytest
import torch

from tests.vision.synthetic_data import make_data_root
from vision import datasets
from vision.features import cached_features
from vision.colour_head import ARRAYS, FitSettings
from vision.train import ColourConfig, DatasetConfig, TrainConfig, train

SYNTHETIC_COLOURS = {"t-shirt": "blue", "dress": "pink", "hat": "black"}  # as synthetic_data


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    make_data_root(root)
    out = tmp_path_factory.mktemp("out")
    colours = root / "colours.csv"
    colours.write_text("image,colour\n" + "".join(
        f"{garment}-{i}.jpg,{name}\n" for garment, name in SYNTHETIC_COLOURS.items()
        for i in range(10)))
    config = TrainConfig(
        datasets=[DatasetConfig("grocery", 0.5, {"category": 1.0, "product": 0.5,
                                                  "identity": 1.0, "pairs": 1.0,
                                                  "colours": 0.2}, per_identity=2),
                  DatasetConfig("clothing", 0.5, {"category": 1.0, "category_pairs": 0.5,
                                                   "category_arcface": 0.5,
                                                   "audience": 0.3, "garments": 0.5},
                                per_identity=2)],
        data_root=str(root), steps=40, batch_size=16, eval_every=10, lr=0.01,
        output=str(out / "heads.pt"), plot=str(out / "curves.png"),
        colour=ColourConfig(str(colours), "clothing", FitSettings(hidden=16, members=1, epochs=60,
                                                                    batch_size=8)))
    features = partial(cached_features, cache_dir=out / "features")
    metrics = train(config, features_fn=features, progress=False)
    return config, metrics, out


def test_training_reduces_loss_and_writes_checkpoint_and_plot(trained):
    config, metrics, out = trained
    checkpoint = torch.load(out / "heads.pt", weights_only=True)
    meta = json.loads(checkpoint["meta"])
    history = meta["history"]
    assert history[-1]["loss"] < history[0]["loss"]
    assert meta["metrics"] == metrics and set(metrics) == {"grocery", "clothing", "colour"}
    assert set(meta["data_hashes"]) == {"grocery", "clothing"}
    assert meta["train_config"]["steps"] == 40
    assert (out / "curves.png").stat().st_size > 5_000
    assert 0 <= metrics["grocery"]["retrieval"]["recall@1"] <= 1
    assert set(metrics["grocery"]["shop_to_catalogue"]) == {"recall@1", "recall@5", "recall@10"}
    assert {"grocery/identity", "grocery/pairs", "clothing/category_pairs",
            "clothing/category_arcface"} <= {
        key[5:] for key in history[0] if key.startswith("loss/")}


def test_the_colour_head_is_fitted_and_shipped_in_the_checkpoint(trained, tmp_path):
    from tests.vision.synthetic_data import photo
    from vision.engine import Engine

    _, metrics, out = trained
    assert metrics["colour"]["photos"] == 30 and metrics["colour"]["cv_accuracy"] >= 0.9
    assert 0 <= metrics["colour"]["model_free_accuracy"] <= 1
    assert "colour_head" in torch.load(out / "heads.pt", weights_only=True)
    engine = Engine(device="cpu", weights=out / "heads.pt")
    for i, rgb in enumerate([(30, 60, 190), (220, 120, 170), (40, 40, 40)]):
        photo(tmp_path / f"{i}.jpg", rgb, 2, i % 2)
    answers = [r.colour.label for r in engine.run(sorted(tmp_path.glob("*.jpg")))]
    assert answers == ["blue", "pink", "black"]


def test_the_engine_loads_the_trained_layers(trained, photos):
    from vision.engine import Engine

    _, _, out = trained
    engine = Engine(device="cpu", weights=out / "heads.pt")
    assert engine.model_version.startswith("groknet-lite0-") and "untrained" not in \
        engine.model_version
    [result] = engine.run([photos["tshirt_white"]])
    assert result.ok and result.embedding.shape == (256,)
    assert {"audience", "garments"} <= set(result.attributes) or result.category.label not in \
        {"t-shirts", "dresses", "hats"}


def test_training_is_reproducible(trained, tmp_path):
    config, metrics, out = trained
    again = TrainConfig(**{**config.__dict__, "output": str(tmp_path / "h.pt"),
                           "plot": str(tmp_path / "c.png")})
    assert train(again, features_fn=partial(cached_features, cache_dir=out / "features"),
                 progress=False) == metrics
    first = torch.load(out / "heads.pt", weights_only=True)
    second = torch.load(tmp_path / "h.pt", weights_only=True)
    for key in first["state_dict"]:
        torch.testing.assert_close(first["state_dict"][key], second["state_dict"][key])
    for key in ARRAYS:
        torch.testing.assert_close(first["colour_head"][key], second["colour_head"][key])


def test_clothing_split_is_fixed():
    assert datasets.heldout("some-image.jpg") == datasets.heldout("some-image.jpg")


@pytest.mark.parametrize("row, message", [
    ("t-shirt-0.jpg,teal", "line 3: 'teal' is not one of black, white"),
    ("no-such-photo.jpg,blue", "line 3: no photo at"),
])
def test_bad_colour_labels_fail_before_any_training(tmp_path, row, message):
    make_data_root(tmp_path / "data")
    labels = tmp_path / "colours.csv"
    labels.write_text(f"image,colour\nt-shirt-1.jpg,blue\n{row}\n")
    config = TrainConfig(
        datasets=[DatasetConfig("clothing", 1.0, {"category": 1.0})],
        data_root=str(tmp_path / "data"), steps=5, output=str(tmp_path / "heads.pt"),
        plot=str(tmp_path / "curves.png"), colour=ColourConfig(str(labels)))

    def no_features(*_args):
        raise AssertionError("the trunk ran before the labels were checked")

    with pytest.raises(ValueError, match=message):
        train(config, features_fn=no_features, progress=False)
    assert not (tmp_path / "heads.pt").exists()
