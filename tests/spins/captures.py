"""Turntable captures with known angles, built at test time from the real photos in data/."""
from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from PIL import Image

from vision.spin.turntable import Turntable, jitter, panorama, render_view

DATA = Path(__file__).parent / "data"


def label() -> np.ndarray:
    photos = [np.asarray(Image.open(path).convert("RGB")) for path in sorted(DATA.glob("*.jpg"))]
    return panorama(photos)


def uneven_angles(count: int, sweep: float = 360.0, seed: int = 0) -> np.ndarray:
    """`count` angles over `sweep` degrees, each off even spacing by up to a third of a step."""
    step = sweep / count
    wobble = np.random.default_rng(seed).uniform(-step / 3, step / 3, count)
    return np.sort((np.arange(count) * step + wobble) % 360.0)


def shaky(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return jitter(image, tuple(rng.uniform(-10, 10, 2)), rng.uniform(0.9, 1.1), rng.uniform(-4, 4))


def write_burst(folder: Path, angles: np.ndarray, shake: bool = False, seed: int = 0) -> dict[str, float]:
    """Render the views in a shuffled upload order; return {file name: true angle}."""
    rng = np.random.default_rng(seed)
    texture = label()
    folder.mkdir(parents=True, exist_ok=True)
    truth = {}
    for position, index in enumerate(rng.permutation(len(angles))):
        image = render_view(texture, angles[index], seed=int(index))
        if shake:
            image = shaky(image, rng)
        name = f"IMG_{position:03d}.png"
        Image.fromarray(image).save(folder / name)
        truth[name] = float(angles[index])
    return truth


def write_video(path: Path, angles: list[float], codec: str = "libx264", size: int = 128) -> None:
    """A walk-around video, one frame per angle (0 angles: a video with no frames at all)."""
    texture = label()
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(codec, rate=12)
        stream.width = stream.height = size
        stream.pix_fmt = "yuv420p" if codec != "png" else "rgb24"
        container.start_encoding()  # headers even when no frame follows
        for index, angle in enumerate(angles):
            image = render_view(texture, angle, Turntable(size=size), seed=index)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
