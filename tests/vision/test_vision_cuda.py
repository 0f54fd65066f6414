"""The GPU path, where a CUDA device is present: the engine and the trunk alone must give what
the CPU gives (the tests skip on a machine without one; CI has none)."""
import numpy as np
import pytest
import torch

from vision.engine import GPU_BATCH, Engine
from vision.trunk import INPUT_SIZE, TorchTrunk, feature_extractor

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@pytest.fixture(scope="module")
def gpu_engine():
    return Engine()


def test_the_engine_picks_the_gpu_by_itself(gpu_engine):
    assert (gpu_engine.device, gpu_engine.backend) == ("cuda", "torch")
    assert gpu_engine.batch_size == GPU_BATCH
    assert next(gpu_engine.model.parameters()).device.type == "cuda"


def test_gpu_and_cpu_engines_agree(gpu_engine, engine, photos):
    paths = list(photos.values())
    for gpu, cpu in zip(gpu_engine.run(paths), engine.run(paths), strict=True):
        assert gpu.ok and gpu.model_version == cpu.model_version
        assert float(gpu.embedding @ cpu.embedding) > 0.999
        assert (gpu.code != cpu.code).mean() < 0.03
        assert gpu.category.label == cpu.category.label
        cpu_margin = cpu.colour.top[0][1] - cpu.colour.top[1][1]
        assert gpu.colour.label == cpu.colour.label or cpu_margin < 0.05  # TF32: close calls
        assert abs(dict(gpu.colour.top).get(cpu.colour.label, 0.0) - cpu.colour.score) < 0.03
        assert gpu.attributes.keys() == cpu.attributes.keys()


def test_a_bad_image_fails_alone_across_gpu_batches(gpu_engine, engine, photos):
    paths = list(photos.values())
    inputs = [paths[i % len(paths)] for i in range(GPU_BATCH + 8)]
    inputs.insert(GPU_BATCH + 3, b"not an image")
    results = gpu_engine.run(inputs)
    assert [r.ok for r in results] == [item != b"not an image" for item in inputs]
    expected = {str(path): result for path, result in zip(paths, engine.run(paths))}
    for item, result in zip(inputs, results):
        if result.ok:
            assert float(result.embedding @ expected[str(item)].embedding) > 0.999


def test_trunk_alone_on_the_gpu_matches_the_cpu(engine):
    """The training feature cache and the benches use this; TF32 convolutions allow ~1e-3."""
    gpu_trunk = feature_extractor()
    assert isinstance(gpu_trunk, TorchTrunk) and gpu_trunk.device == "cuda"
    pixels = np.random.default_rng(1).standard_normal((3, 3, INPUT_SIZE, INPUT_SIZE), np.float32)
    cpu, gpu = engine.features(pixels), gpu_trunk(pixels)
    assert gpu.shape == cpu.shape == (3, 1280, 7, 7)
    assert np.linalg.norm(gpu - cpu) / np.linalg.norm(cpu) < 1e-2
