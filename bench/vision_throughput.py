"""Vision engine throughput vs the raw trunk, measured in the same run.

    python bench/vision_throughput.py [--repeats 3] [--image-side 640]

Raw trunk: the forward pass alone on ready-made input tensors (the backend the engine uses:
ONNX Runtime on CPU, torch on CUDA; eager torch is printed for reference). Full engine: JPEG
bytes in, decode + preprocess + forward + heads + colour out. Batch sizes 1 and 32; the ratio is
engine / raw trunk images per second.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PHOTOS = ROOT / "tests" / "vision" / "data"


def jpeg_inputs(count: int, side: int) -> list[bytes]:
    """`count` real product photos as JPEG bytes, upscaled to a phone-upload size."""
    photos = sorted(PHOTOS.glob("*.jpg")) + sorted((PHOTOS / "colour_sample").glob("*.jpg"))
    inputs = []
    for i in range(count):
        image = Image.open(photos[i % len(photos)]).convert("RGB")
        scale = side / max(image.size)
        image = image.resize((round(image.width * scale), round(image.height * scale)))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=90)
        inputs.append(buffer.getvalue())
    return inputs


def rate(fn, batch: int, repeats: int) -> float:
    fn()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return batch / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--image-side", type=int, default=640)
    args = parser.parse_args()

    import torch

    from vision.engine import Engine

    engine = Engine()
    eager = Engine(backend="torch", device=engine.device)
    report = {"device": engine.device, "backend": engine.backend,
              "threads": torch.get_num_threads(), "image_side": args.image_side,
              "model_version": engine.model_version}
    for batch in (1, 32):
        pixels = np.random.default_rng(0).standard_normal((batch, 3, 224, 224), np.float32)
        images = jpeg_inputs(batch, args.image_side)
        raw = rate(lambda: engine.features(pixels), batch, args.repeats)
        torch_raw = rate(lambda: eager.features(pixels), batch, args.repeats)
        full = rate(lambda: engine.run(images), batch, args.repeats)
        report[f"batch_{batch}"] = {
            "raw_trunk_img_s": round(raw, 2), "eager_torch_trunk_img_s": round(torch_raw, 2),
            "engine_img_s": round(full, 2), "engine_over_raw": round(full / raw, 3),
            "onnx_over_eager_torch": round(raw / torch_raw, 2)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
