"""Vision engine throughput vs the raw trunk, measured in the same run.

    python bench/vision_throughput.py [--rounds 7] [--image-side 640] [--batch-sizes 1,32]

Raw trunk: the trunk's forward pass alone on ready-made float input tensors (the backend the
engine uses: ONNX Runtime on CPU, torch on CUDA; eager torch is printed for reference). Full
engine: JPEG bytes in; decode, crop, then one graph (pixel scaling + trunk + GeM + embedding +
heads), plus colour, out. Batch sizes 1 and 32 (by default); the ratio is engine / raw trunk
images per second. The engine runs the model `Engine.batch_size` images at a time (4 on the
CPU), decoding the next batch meanwhile; so that this is no trick, the raw trunk is also timed
in batches of that size and the ratio against the faster of the two is printed too
(`engine_over_best_raw`). The project's ONNX sessions do not let idle threads spin (see
`vision/onnx_graphs.py`); the raw trunk is also timed with ONNX Runtime's default spinning, on its
own after the interleaved rounds (its spinning threads would slow whatever ran next), and counts
for the best raw figure too.
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


def best_rates(functions: dict, batch: int, rounds: int) -> dict[str, float]:
    """Images/s of each function, best of `rounds`, the functions interleaved round by round so
    that load from other processes on a shared machine hits them alike."""
    for fn in functions.values():
        fn()  # warm-up
    best = {name: float("inf") for name in functions}
    for _ in range(rounds):
        for name, fn in functions.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: batch / seconds for name, seconds in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--image-side", type=int, default=640)
    parser.add_argument("--batch-sizes", default="1,32",
                        help="comma-separated images per call (e.g. 32,128 on a GPU)")
    args = parser.parse_args()

    import torch

    from vision.engine import Engine
    from vision.onnx_graphs import OnnxTrunk

    engine = Engine()
    spinning = OnnxTrunk(engine.trunk, spin=True) if engine.backend == "onnx" else None
    eager = Engine(backend="torch", device=engine.device)
    report = {"device": engine.device, "backend": engine.backend, "engine_batch": engine.batch_size,
              "threads": torch.get_num_threads(), "image_side": args.image_side,
              "model_version": engine.model_version}
    step = engine.batch_size
    for batch in map(int, args.batch_sizes.split(",")):
        pixels = np.random.default_rng(0).standard_normal((batch, 3, 224, 224), np.float32)
        images = jpeg_inputs(batch, args.image_side)
        rates = best_rates({
            "raw": lambda: engine.features(pixels),
            # the trunk at the engine's own forward-pass size, in case that is faster
            "raw_steps": lambda: [engine.features(pixels[i:i + step])
                                  for i in range(0, batch, step)],
            "engine": lambda: engine.run(images),
            "eager": lambda: eager.features(pixels)}, batch, args.rounds)
        if spinning is not None:
            rates |= best_rates({"raw_spinning": lambda: spinning(pixels)}, batch, args.rounds)
        best_raw = max(rates["raw"], rates["raw_steps"], rates.get("raw_spinning", 0.0))
        report[f"batch_{batch}"] = {
            "raw_trunk_img_s": round(rates["raw"], 2),
            f"raw_trunk_in_batches_of_{step}_img_s": round(rates["raw_steps"], 2),
            "raw_trunk_spinning_threads_img_s": round(rates.get("raw_spinning", 0.0), 2),
            "eager_torch_trunk_img_s": round(rates["eager"], 2),
            "engine_img_s": round(rates["engine"], 2),
            "engine_over_raw": round(rates["engine"] / rates["raw"], 3),
            "engine_over_best_raw": round(rates["engine"] / best_raw, 3),
            "engine_over_eager_torch_trunk": round(rates["engine"] / rates["eager"], 3),
            "onnx_over_eager_torch": round(rates["raw"] / rates["eager"], 2)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
