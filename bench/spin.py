"""Rotating view: how long stitching takes and how accurate it is, on synthetic turntables.

    .venv/bin/python bench/spin.py [--views 36] [--size 384]

Builds a shuffled, hand-shaken photo burst and a walk-around video (real photos on a turntable
cylinder, known angles), stitches both, and prints time per stage, the ratio to decoding alone
(the baseline measured in the same run), the angle error and the jitter before/after.
"""
import argparse
import tempfile
import time
from pathlib import Path

import av
import numpy as np
from PIL import Image

from vision.spin import SpinConfig
from vision.spin.pipeline import build_spin
from vision.spin.sources import read_input
from vision.spin.turntable import Turntable, jitter, panorama, render_view

DATA = Path(__file__).resolve().parent.parent / "tests" / "spins" / "data"


def timed_build(source: Path, out: Path, config: SpinConfig):
    stages, start = {}, time.perf_counter()
    last = [start, "decoding"]

    def on_progress(percent: int, stage: str) -> None:
        now = time.perf_counter()
        stages[last[1]] = stages.get(last[1], 0.0) + now - last[0]
        last[:] = [now, stage]

    manifest = build_spin(source, out, config, on_progress)
    return manifest, time.perf_counter() - start, stages


def decode_only(source: Path, config: SpinConfig) -> float:
    start = time.perf_counter()
    read_input(source, config)
    return time.perf_counter() - start


def report(name: str, source: Path, out: Path, config: SpinConfig, truth: dict) -> None:
    baseline = decode_only(source, config)
    manifest, total, stages = timed_build(source, out, config)
    true = np.array([truth[(f["source"], f.get("time"))] for f in manifest["frames"]])
    steps = (np.diff(np.append(true, true[0])) + 180) % 360 - 180
    direction = np.sign(np.median(steps))
    relative = (direction * (true - true[0])) % 360
    estimated = np.array([f["angle"] for f in manifest["frames"]])
    error = np.abs((relative - estimated + 180) % 360 - 180)
    print(f"\n{name}: {manifest['input_views']} views in → {manifest['frame_count']} frames, "
          f"loop closed {manifest['loop_closed']}, angles {manifest['angle_method']}")
    print(f"  total {total:.2f} s = {total / baseline:.1f}× decoding alone ({baseline:.2f} s)")
    print("  stages: " + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in stages.items()))
    print(f"  angle error vs truth: mean {error.mean():.2f}°, max {error.max():.2f}°")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=36)
    parser.add_argument("--size", type=int, default=384)
    args = parser.parse_args()
    texture = panorama([np.asarray(Image.open(p).convert("RGB")) for p in sorted(DATA.glob("*.jpg"))])
    rig = Turntable(size=args.size)
    rng = np.random.default_rng(0)
    step = 360 / args.views
    angles = np.sort((np.arange(args.views) * step + rng.uniform(-step / 3, step / 3, args.views)) % 360)
    config = SpinConfig()
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        burst, truth = work / "burst", {}
        burst.mkdir()
        for position, index in enumerate(rng.permutation(args.views)):
            image = jitter(render_view(texture, angles[index], rig, seed=int(index)),
                           tuple(rng.uniform(-0.05, 0.05, 2) * args.size), rng.uniform(0.9, 1.1),
                           rng.uniform(-4, 4))
            Image.fromarray(image).save(burst / f"IMG_{position:03d}.jpg", quality=92)
            truth[(f"IMG_{position:03d}.jpg", None)] = angles[index]
        report("photo burst (shuffled, hand-shaken)", burst, work / "out-burst", config, truth)

        video, fps, truth = work / "walk.mp4", 30, {}
        video_angles = np.arange(0, 380, 360 / 300)  # a 10 s turn and a bit, 300 frames
        with av.open(str(video), "w") as container:
            stream = container.add_stream("libx264", rate=fps)
            stream.width = stream.height = args.size
            stream.pix_fmt = "yuv420p"
            for index, angle in enumerate(video_angles):
                frame = av.VideoFrame.from_ndarray(render_view(texture, angle, rig, seed=index),
                                                   format="rgb24")
                for packet in stream.encode(frame):
                    container.mux(packet)
                truth[("walk.mp4", round(index / fps, 3))] = angle
            for packet in stream.encode():
                container.mux(packet)
        report("walk-around video (H.264, 10 s)", video, work / "out-video", config, truth)


if __name__ == "__main__":
    main()
