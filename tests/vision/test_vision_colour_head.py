"""The trained colour head: its fit, its inputs, its place in the checkpoint and the engine."""
import csv

import numpy as np
import pytest
import torch
from PIL import Image

from vision import colour
from vision.colour_head import ColourHead, FitSettings, cross_validated_accuracy, fit, head_inputs
from vision.inference import CROP_GRID

LABELS = ["red", "green", "blue"]
QUICK = FitSettings(hidden=16, members=2, epochs=40, batch_size=16)


def clusters(n_per_label=20, seed=0):
    """Three well separated clusters in 4-d, labelled 0, 1, 2."""
    rng = np.random.default_rng(seed)
    centres = np.array([[4, 0, 0, 1], [0, 4, 0, 1], [0, 0, 4, 1]], dtype=np.float32)
    inputs = np.concatenate([centre + rng.normal(0, 0.5, (n_per_label, 4)) for centre in centres])
    return inputs.astype(np.float32), np.repeat(np.arange(3), n_per_label)


def test_fit_learns_separable_labels():
    inputs, targets = clusters()
    probabilities = fit(inputs, targets, LABELS, QUICK).probabilities(inputs)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert (probabilities.argmax(axis=1) == targets).all()


def test_fit_is_deterministic_and_leaves_the_global_rng_alone():
    inputs, targets = clusters()
    torch.manual_seed(5)
    first = fit(inputs, targets, LABELS, QUICK)
    after_fit = torch.rand(3)
    torch.manual_seed(5)
    untouched = torch.rand(3)
    second = fit(inputs, targets, LABELS, QUICK)
    assert torch.equal(after_fit, untouched)
    np.testing.assert_array_equal(first.probabilities(inputs), second.probabilities(inputs))


def test_the_members_vote():
    """The head's answer is the mean of its members' own probabilities, and members differ."""
    inputs, targets = clusters()
    head = fit(inputs, targets, LABELS, QUICK)
    assert head.hidden_weight.shape == (2, 4, 16) and head.output_weight.shape == (2, 16, 3)
    alone = [ColourHead(head.labels, head.mean, head.scale, head.hidden_weight[[k]],
                        head.hidden_bias[[k]], head.output_weight[[k]], head.output_bias[[k]])
             .probabilities(inputs) for k in range(2)]
    assert not np.allclose(alone[0], alone[1])
    np.testing.assert_allclose(head.probabilities(inputs), (alone[0] + alone[1]) / 2, atol=1e-6)


def test_the_numpy_head_matches_the_trained_torch_member():
    """The head runs in numpy at inference: its GELU and layout must reproduce torch's."""
    inputs, targets = clusters()
    head = fit(inputs, targets, LABELS, FitSettings(hidden=8, members=1, epochs=5))
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.GELU(approximate="tanh"),
                              torch.nn.Linear(8, 3))
    with torch.no_grad():
        net[0].weight.copy_(torch.from_numpy(head.hidden_weight[0].T))
        net[0].bias.copy_(torch.from_numpy(head.hidden_bias[0]))
        net[2].weight.copy_(torch.from_numpy(head.output_weight[0].T))
        net[2].bias.copy_(torch.from_numpy(head.output_bias[0]))
        expected = torch.softmax(net(torch.from_numpy((inputs - head.mean) / head.scale)), 1)
    np.testing.assert_allclose(head.probabilities(inputs), expected.numpy(), atol=1e-5)


def test_cross_validation_tells_signal_from_noise():
    inputs, targets = clusters(30)
    assert cross_validated_accuracy(inputs, targets, LABELS, QUICK) == 1.0
    shuffled = np.random.default_rng(1).permutation(targets)
    assert cross_validated_accuracy(inputs, shuffled, LABELS, QUICK) < 0.6


def test_state_survives_a_checkpoint(tmp_path):
    inputs, targets = clusters()
    head = fit(inputs, targets, LABELS, QUICK)
    torch.save({"colour_head": head.state()}, tmp_path / "c.pt")
    loaded = ColourHead.from_state(torch.load(tmp_path / "c.pt", weights_only=True)["colour_head"])
    assert loaded.labels == LABELS
    np.testing.assert_allclose(loaded.probabilities(inputs), head.probabilities(inputs), atol=1e-6)


def test_an_older_head_in_a_checkpoint_is_named_not_a_key_error(tmp_path):
    """A checkpoint from before the perceptron head (a regression: weight, bias) is refused with
    the file named and what to do, wherever it is loaded (the engine, `reindex --weights`)."""
    from vision.engine import Engine, WEIGHTS

    checkpoint = torch.load(WEIGHTS, weights_only=True)
    checkpoint["colour_head"] = {"labels": LABELS, "mean": torch.zeros(4),
                                 "scale": torch.ones(4), "weight": torch.zeros(4, 3),
                                 "bias": torch.zeros(3)}
    torch.save(checkpoint, tmp_path / "old.pt")
    with pytest.raises(ValueError, match=r"old\.pt: not a colour head of this code.*retrain"):
        Engine(device="cpu", weights=tmp_path / "old.pt")


def test_head_inputs_pool_the_maps_where_the_object_is():
    maps = np.zeros((1, 2, CROP_GRID, CROP_GRID), np.float32)
    maps[0, 0, 3, 4] = 7.0  # channel 0 lights up in one cell only
    maps[0, 1] = 2.0
    weights = np.zeros((1, CROP_GRID, CROP_GRID), np.float32)
    weights[0, 3, 4] = 1.0
    inputs = head_inputs(np.array([[0.5, 0.25]], np.float32), maps, weights)
    np.testing.assert_allclose(inputs, [[0.5, 0.25, 7.0, 2.0]])


def photo_with_square(size, centre=(0.5, 0.5), square_rgb=(200, 30, 30),
                      background=(128, 128, 128)):
    """A grey photo of `size` with a coloured square, a fifth of its short side, centred at
    `centre` (fractions of the width and height)."""
    width, height = size
    half = min(size) // 10
    x, y = round(centre[0] * width), round(centre[1] * height)
    pixels = np.full((height, width, 3), background, np.uint8)
    pixels[y - half:y + half, x - half:x + half] = square_rgb
    return Image.fromarray(pixels)


def test_head_statistics_describe_object_and_border():
    analysis = colour.analyse(colour.analysis_image(photo_with_square((120, 120))))
    stats = colour.head_statistics(analysis)
    assert stats.shape == (colour.HEAD_STATISTICS,) and stats.dtype == np.float32
    shares = stats[:len(colour.NAMES)]
    assert colour.NAMES[int(np.argmax(shares))] == "red" and shares.sum() == pytest.approx(1)
    top_lab, border_lab = stats[-6:-3], stats[-3:]
    assert top_lab[1] > 40  # red: strongly positive a*
    assert abs(border_lab[1]) < 3 and abs(border_lab[2]) < 3  # the grey background


@pytest.mark.parametrize("size", [(120, 120), (300, 100), (100, 300)])
def test_crop_weights_follow_the_object_inside_the_trunks_crop(size):
    """An object in the upper-right quarter of the centre square crop (whatever the photo's
    shape) weighs on the upper right of the crop's grid (not mirrored, not transposed)."""
    width, height = size
    side = min(size)
    centre = ((width + side / 2) / 2 / width, (height - side / 2) / 2 / height)
    image = photo_with_square(size, centre)
    weights = colour.crop_weights(colour.analyse(colour.analysis_image(image)), image.size,
                                  CROP_GRID)
    assert weights.shape == (CROP_GRID, CROP_GRID) and weights.sum() == pytest.approx(1)
    half = CROP_GRID // 2
    upper_right, lower_left = weights[:half, half:].sum(), weights[half:, :half].sum()
    assert upper_right > 0.5 and upper_right > 4 * lower_left  # the grey floor weighs a little


def test_the_engine_answers_with_the_shipped_head(engine, photos):
    assert engine.colour_head is not None and engine.colour_head.labels == list(colour.COLOURS)
    results = engine.run([photos["hoodie_pink"], photos["cardigan_black"]])
    assert [r.colour.label for r in results] == ["pink", "black"]
    assert all(len(r.colour.top) == 3 and r.colour.suggested for r in results)


def test_training_inputs_match_the_engines(engine, photos):
    """The head is fitted on `colour_inputs` (an untrained engine's decoding and graph) and runs
    inside the shipped engine: both must describe a photo the same way, or the head is applied
    off its data."""
    from vision.train import colour_inputs

    paths = [photos["hoodie_pink"], photos["tshirt_white"]]
    inputs, _ = colour_inputs(paths, progress=False)
    trained = engine.colour_head.probabilities(inputs)
    for row, result in enumerate(engine.run(paths)):
        assert result.colour.label == engine.colour_head.labels[int(trained[row].argmax())]
        assert result.colour.score == pytest.approx(float(trained[row].max()), abs=1e-3)


def test_without_a_head_the_colour_is_model_free(photos):
    from vision.engine import Engine

    untrained = Engine(device="cpu", weights=None)
    assert untrained.colour_head is None
    [result] = untrained.run([photos["hoodie_pink"]])
    assert result.colour.label == "pink" and len(result.colour.top) == 1


def test_labels_file_uses_the_vocabulary():
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "vision" / "data" / "clothing_colours.csv"
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1270 and len({row["image"] for row in rows}) == 1270
    assert {row["colour"] for row in rows} == set(colour.COLOURS)
