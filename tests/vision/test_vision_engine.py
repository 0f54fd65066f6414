"""The inference engine: shapes, normalisation, codes, determinism, batching, bad inputs."""
import io

import numpy as np
import pytest
from PIL import Image

from vision.colour import COLOURS
from vision.engine import ImageResult
from vision.zeroshot import fine_slugs


def test_outputs_have_the_documented_shape(engine, photos):
    [result] = engine.run([photos["tshirt_white"]])
    assert isinstance(result, ImageResult) and result.ok and result.error is None
    assert result.embedding.dtype == np.float32 and result.embedding.shape == (256,)
    assert np.linalg.norm(result.embedding) == pytest.approx(1.0, abs=1e-5)
    assert result.code.dtype == bool and result.code.shape == (256,)
    assert np.array_equal(result.code, result.embedding > 0)
    assert result.category.label in fine_slugs() and 0 <= result.category.score <= 1
    assert len(result.category.top) == 3
    assert result.colour.label in COLOURS
    assert result.model_version == engine.model_version and result.model_version
    assert engine.embedding_dim == 256


def test_inputs_as_path_bytes_and_pil_agree(engine, photos):
    path = photos["hoodie_pink"]
    results = engine.run([path, path.read_bytes(), Image.open(path), str(path)])
    for other in results[1:]:
        np.testing.assert_allclose(other.embedding, results[0].embedding, atol=1e-5)


def test_deterministic_and_batch_equals_single(engine, photos):
    paths = list(photos.values())
    batch = engine.run(paths)
    singles = [engine.run([path])[0] for path in paths]
    again = engine.run(paths)
    for a, b, c in zip(batch, singles, again):
        np.testing.assert_allclose(a.embedding, b.embedding, atol=1e-4)
        np.testing.assert_array_equal(a.embedding, c.embedding)
        assert a.category.label == b.category.label


@pytest.mark.parametrize("backend", ["onnx", "torch"])
def test_batches_split_by_batch_size_keep_order_and_failures_in_place(engine, photos, backend):
    """Batches after the first are decoded while the model runs, a batch per core (ONNX) or by
    every thread for the model to take in turn (torch, as on a GPU): order and errors hold."""
    from vision.engine import Engine

    small = Engine(device="cpu", batch_size=2, backend=backend)
    paths = list(photos.values())
    inputs = paths + [b"not an image"] + paths
    results = small.run(inputs)
    assert len(results) == len(inputs)
    assert [r.ok for r in results] == [True] * len(paths) + [False] + [True] * len(paths)
    expected = engine.run(paths)
    for got in (results[:len(paths)], results[len(paths) + 1:]):
        for a, b in zip(got, expected):
            np.testing.assert_allclose(a.embedding, b.embedding, atol=1e-4)


def awkward_inputs() -> dict[str, object]:
    def png(image):
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        return buffer.getvalue()

    gradient = np.tile(np.linspace(0, 65535, 64, dtype=np.uint16), (64, 1))
    return {
        "corrupt": b"\xff\xd8\xff\xe0 this is not really a jpeg",
        "one_pixel": png(Image.new("RGB", (1, 1), "red")),
        "huge": png(Image.new("L", (9000, 8000))),
        "cmyk": Image.new("CMYK", (50, 60), (0, 255, 255, 0)),
        "palette": Image.new("RGB", (50, 60), "green").convert("P"),
        "alpha": Image.new("RGBA", (50, 60), (0, 0, 255, 128)),
        "sixteen_bit": Image.fromarray(gradient),
        "greyscale": Image.new("L", (50, 60), 90),
    }


def test_bad_images_fail_alone_and_odd_modes_work(engine, photos):
    inputs = awkward_inputs()
    good = photos["tshirt_white"]
    results = engine.run([good, *inputs.values(), good])
    by_name = dict(zip(["first", *inputs, "last"], results))
    for name in ("corrupt", "one_pixel", "huge"):
        assert not by_name[name].ok and by_name[name].error
        assert by_name[name].embedding is None
        assert by_name[name].model_version == engine.model_version
    assert "too small" in by_name["one_pixel"].error
    assert "too large" in by_name["huge"].error
    for name in ("first", "last", "cmyk", "palette", "alpha", "sixteen_bit", "greyscale"):
        assert by_name[name].ok, (name, by_name[name].error)
    np.testing.assert_allclose(by_name["first"].embedding, by_name["last"].embedding, atol=1e-5)
    assert by_name["cmyk"].colour.label == "red"


def test_unexpected_failure_in_one_image_spares_the_batch(engine, photos, monkeypatch):
    import vision.colour

    real = vision.colour.analyse

    def flaky(image):
        if not image.any():  # the all-black one
            raise RuntimeError("boom")
        return real(image)

    monkeypatch.setattr(vision.colour, "analyse", flaky)
    odd, good = engine.run([Image.new("RGB", (33, 33)), photos["hoodie_pink"]])
    assert not odd.ok and "RuntimeError: boom" in odd.error
    assert good.ok and good.colour.label == "pink"


def test_all_bad_batch_returns_errors(engine):
    results = engine.run([b"nope", b"still nope"])
    assert [r.ok for r in results] == [False, False]


def test_zero_shot_category_on_obvious_photos(photos):
    from vision.engine import Engine

    untrained = Engine(device="cpu", weights=None)
    apple, tshirt = untrained.run([photos["apple_granny_smith"], photos["tshirt_white"]])
    assert "untrained" in untrained.model_version
    assert apple.category.label == "fruit" and apple.category.suggested
    assert tshirt.category.label == "t-shirts" and tshirt.category.suggested


def test_a_weights_path_that_does_not_exist_is_an_error_not_the_untrained_model(tmp_path):
    from vision.engine import Engine

    with pytest.raises(FileNotFoundError, match="no trained weights at .*typo.pt"):
        Engine(device="cpu", weights=tmp_path / "typo.pt")


def test_category_blend_keeps_the_zero_shot_evidence_of_slugs_the_trained_head_lacks():
    """Bags are fashion, a vertical the trained head covers, but not one of its slugs."""
    from vision.engine import GATE_FLOOR, blend_category

    slugs, labels = fine_slugs(), ["t-shirts", "shirts", "dresses", "fruit"]
    zeroshot = np.zeros(len(slugs), dtype=np.float32)
    zeroshot[slugs.index("bags")], zeroshot[slugs.index("t-shirts")] = 0.9, 0.1
    unsure = np.array([0.3, 0.3, 0.2, 0.2])  # the trained head has no bag to answer with
    blended = blend_category(zeroshot, slugs, unsure, labels)
    assert slugs[blended.argmax()] == "bags"
    assert blended[slugs.index("bags")] == pytest.approx(0.9 * (1 - GATE_FLOOR))
    assert blended[slugs.index("t-shirts")] == pytest.approx(GATE_FLOOR * 0.3)

    # The trained head's slugs are weighted as before: by the zero-shot mass they get.
    zeroshot[:] = 0
    zeroshot[slugs.index("t-shirts")], zeroshot[slugs.index("furniture")] = 0.8, 0.2
    blended = blend_category(zeroshot, slugs, np.array([0.1, 0.7, 0.1, 0.1]), labels)
    assert slugs[blended.argmax()] == "shirts"
    assert blended[slugs.index("shirts")] == pytest.approx(0.8 * 0.7)
    assert blended[slugs.index("furniture")] == pytest.approx(0.2 * 0.2)


def test_to_json_is_serialisable(engine, photos):
    import json

    data = json.loads(json.dumps(engine.run([photos["hoodie_pink"], b"x"])[0].to_json()))
    assert data["embedding_dim"] == 256 and data["ok"] is True
    assert set(data["category"]) == {"label", "score", "top", "suggested"}
    assert len(bytes.fromhex(data["code"])) == 32


def test_onnx_and_torch_trunks_agree(engine, photos):
    from vision.engine import Engine

    assert engine.backend == "onnx"
    eager = Engine(device="cpu", backend="torch")
    paths = list(photos.values())
    for a, b in zip(engine.run(paths), eager.run(paths)):
        np.testing.assert_allclose(a.embedding, b.embedding, atol=1e-4)
        assert a.category.label == b.category.label


def test_reduced_jpeg_decoding_matches_the_full_decode(engine, photos):
    """Big JPEGs are decoded at 1/2..1/8 scale (`Image.draft`); the answers must not change."""
    from vision.images import open_image
    from vision.trunk import INPUT_SIZE

    uploads = []
    for path in photos.values():
        image = Image.open(path).convert("RGB")
        big = image.resize((image.width * 5, image.height * 5), Image.BICUBIC)
        buffer = io.BytesIO()
        big.save(buffer, "JPEG", quality=92)
        uploads.append(buffer.getvalue())
    drafted = open_image(uploads[0], draft=INPUT_SIZE)
    assert INPUT_SIZE <= min(drafted.size) < min(Image.open(io.BytesIO(uploads[0])).size) / 2
    fast = engine.run(uploads)
    full = engine.run([Image.open(io.BytesIO(data)).convert("RGB") for data in uploads])
    for a, b in zip(fast, full):
        assert a.category.label == b.category.label and a.colour.label == b.colour.label
        assert float(a.embedding @ b.embedding) > 0.97
