"""Cost of colour per photo, against the raw trunk measured in the same run.

    python bench/colour_cost.py [--rounds 15] [--image-side 640]

The same inputs as bench/vision_throughput.py (real photos as JPEG bytes at a phone-upload
size), decoded the way the engine decodes them. What the engine does per photo for colour: in
its decoding threads `colour_evidence` (the analysis image, the model-free answer, the colour
head's statistics and crop weights), after the forward pass the colour head (pooling the tapped
maps, the perceptrons; timed per photo over batches of 32). The model-free answer alone
(`analysis_image` + `dominant_colour`) is timed too. Single-threaded, given as CPU time (thread
time, least affected by other load on a shared machine) and wall time, best of `--rounds`. The
raw ONNX trunk's wall time per image at batch 32 is the baseline: the engine goal is ≥ 0.85x the
trunk's throughput, so colour must be a small fraction of it (budget: 0.3 ms).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.vision_throughput import jpeg_inputs  # noqa: E402

BATCH = 32


def best_per_image(work, count: int, rounds: int) -> dict[str, float]:
    """Best-of-`rounds` CPU and wall milliseconds per item of `work()` over `count` items."""
    work()  # warm-up
    cpu = wall = float("inf")
    for _ in range(rounds):
        start_cpu, start_wall = time.thread_time(), time.perf_counter()
        work()
        cpu = min(cpu, time.thread_time() - start_cpu)
        wall = min(wall, time.perf_counter() - start_wall)
    return {"cpu_ms": round(cpu / count * 1e3, 4), "wall_ms": round(wall / count * 1e3, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--image-side", type=int, default=640)
    args = parser.parse_args()

    from vision import colour
    from vision.engine import Engine, colour_evidence, colour_head_inputs
    from vision.images import open_image
    from vision.inference import CROP_GRID
    from vision.trunk import COLOUR_CHANNELS, INPUT_SIZE

    images = [open_image(data, draft=INPUT_SIZE) for data in jpeg_inputs(64, args.image_side)]
    smalls = [colour.analysis_image(image) for image in images]
    analysis = best_per_image(lambda: [colour.analysis_image(i) for i in images], len(images),
                              args.rounds)
    naming = best_per_image(lambda: [colour.dominant_colour(s) for s in smalls], len(smalls),
                            args.rounds)
    evidence = best_per_image(lambda: [colour_evidence(i) for i in images], len(images),
                              args.rounds)
    engine = Engine()
    batch = [colour_evidence(image) for image in images[:BATCH]]
    maps = np.random.default_rng(1).standard_normal((BATCH, COLOUR_CHANNELS, CROP_GRID, CROP_GRID),
                                                    np.float32)
    head = best_per_image(lambda: engine.colour_head.probabilities(colour_head_inputs(batch, maps)),
                          BATCH, args.rounds)
    pixels = np.random.default_rng(0).standard_normal((BATCH, 3, 224, 224), np.float32)
    trunk = best_per_image(lambda: engine.features(pixels), BATCH, max(3, args.rounds // 3))
    total_cpu = evidence["cpu_ms"] + head["cpu_ms"]
    total_wall = evidence["wall_ms"] + head["wall_ms"]
    print(json.dumps({
        "decoded_size": list(images[0].size), "photos": len(images),
        "analysis_image": analysis, "dominant_colour": naming,
        "model_free_cpu_ms": round(analysis["cpu_ms"] + naming["cpu_ms"], 4),
        "colour_evidence": evidence, "colour_head": head,
        "colour_cpu_ms": round(total_cpu, 4), "colour_wall_ms": round(total_wall, 4),
        "raw_trunk_wall_ms_per_image_batch_32": trunk["wall_ms"],
        "colour_wall_over_trunk_wall": round(total_wall / trunk["wall_ms"], 4),
        "budget_ms": 0.3, "within_budget_cpu": total_cpu <= 0.3}, indent=2))


if __name__ == "__main__":
    main()
