"""The one-graph forward pass: the crop it is fed, and the ONNX export it runs as on the CPU."""
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from vision.trunk import INPUT_SIZE, crop


def test_crop_is_the_centre_square_as_uint8():
    pixels = np.zeros((300, 500, 3), dtype=np.uint8)
    pixels[:, :100] = (255, 0, 0)  # side bars a centre crop cuts away
    pixels[:, -100:] = (0, 0, 255)
    pixels[:, 100:-100] = (0, 200, 0)
    out = crop(Image.fromarray(pixels))
    assert out.dtype == np.uint8 and out.shape == (INPUT_SIZE, INPUT_SIZE, 3)
    assert (out == (0, 200, 0)).all()


def test_big_reductions_average_instead_of_aliasing():
    """A 1-pixel checkerboard shrunk 8x must turn mid-grey, not stay black or white."""
    board = (np.indices((INPUT_SIZE * 8, INPUT_SIZE * 8)).sum(axis=0) % 2 * 255).astype(np.uint8)
    out = crop(Image.fromarray(board).convert("RGB"))
    assert np.abs(out.astype(int) - 127).max() <= 2


def test_onnx_graph_matches_the_torch_module(engine, photos):
    from vision.engine import load_one

    crops = np.stack([load_one(path)[0] for path in photos.values()])
    onnx = engine.model.named(engine.graph(crops), engine.zs_matrix)
    with torch.inference_mode():
        eager = engine.model.named(engine.model(torch.from_numpy(crops)), engine.zs_matrix)
    assert set(onnx) == set(eager) >= {"embedding", "baseline", "zeroshot", "category",
                                       "colour_maps"}
    for name in eager:
        np.testing.assert_allclose(onnx[name], eager[name], atol=1e-4, rtol=1e-4, err_msg=name)


def test_a_graph_is_re_exported_when_the_weights_or_code_change(engine):
    from vision.inference import InferenceModel
    from vision.model import GrokHead
    from vision.onnx_graphs import graph_path

    other_head = GrokHead(engine.head.config)  # same shapes, other (seeded) weights
    with torch.no_grad():
        other_head.projection.weight.mul_(-1)
    other = InferenceModel(engine.trunk, other_head)
    assert graph_path("g", engine.model) == graph_path("g", engine.model)
    assert graph_path("g", engine.model) != graph_path("g", other)


def test_a_graph_is_re_exported_when_the_export_settings_change(engine, tmp_path, monkeypatch):
    from vision import onnx_graphs

    before = onnx_graphs.graph_path("g", engine.model)
    changed = tmp_path / "onnx_graphs.py"
    changed.write_text(Path(onnx_graphs.__file__).read_text().replace("opset_version=17",
                                                                      "opset_version=18"))
    monkeypatch.setattr(onnx_graphs, "__file__", str(changed))
    assert onnx_graphs.graph_path("g", engine.model) != before


def test_trunk_alone_matches_torch(engine):
    """`Engine.features` (the benches' raw-trunk baseline) runs the same trunk as torch."""
    pixels = np.random.default_rng(0).standard_normal((2, 3, INPUT_SIZE, INPUT_SIZE), np.float32)
    with torch.inference_mode():
        expected = engine.trunk(torch.from_numpy(pixels)).numpy()
    got = engine.features(pixels)
    assert got.shape == (2, 1280, 7, 7)
    np.testing.assert_allclose(got, expected, atol=1e-3, rtol=1e-3)


def test_feature_extractor_runs_onnx_on_the_cpu(engine):
    """The training feature cache's trunk: ONNX Runtime on the CPU, the engine's trunk graph."""
    from vision.onnx_graphs import OnnxTrunk
    from vision.trunk import feature_extractor

    extractor = feature_extractor(device="cpu")
    assert isinstance(extractor, OnnxTrunk)
    pixels = np.random.default_rng(2).standard_normal((2, 3, INPUT_SIZE, INPUT_SIZE), np.float32)
    np.testing.assert_array_equal(extractor(pixels), engine.features(pixels))


def test_graph_threads_sleep_between_runs(engine):
    """ONNX Runtime's threads spin by default for tens of ms after each run, burning the CPU
    that decoding the next photos needs; the engine's sessions must leave it idle."""
    import time

    crops = np.zeros((4, INPUT_SIZE, INPUT_SIZE, 3), dtype=np.uint8)
    engine.graph(crops)
    before = time.process_time()
    time.sleep(0.2)
    assert time.process_time() - before < 0.01
