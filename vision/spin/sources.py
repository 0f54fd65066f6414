"""Reading captures: a video (decoded with PyAV) or a folder/list of photos (Pillow)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

import numpy as np

from .config import SpinConfig, SpinError

VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v", ".webm", ".mkv"}
NO_FRAMES = "The video has no frames we could decode."
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif"}


@dataclass
class Frame:
    """One candidate view, kept JPEG-compressed (a capture's views at full size would take
    hundreds of MB), and where it came from (file name, and time for a video)."""

    jpeg: bytes
    width: int
    height: int
    source: str
    time: float | None = None

    @classmethod
    def from_pixels(cls, image: np.ndarray, source: str, time: float | None = None) -> "Frame":
        import cv2

        _, encoded = cv2.imencode(".jpg", image[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 95])
        return cls(encoded.tobytes(), image.shape[1], image.shape[0], source, time)

    def pixels(self, long_side: int | None = None) -> np.ndarray:
        """The view as RGB pixels; with `long_side`, at about that size, decoded at 1/2, 1/4 or
        1/8 scale by the JPEG decoder itself when that is still large enough (much faster)."""
        import cv2

        flag = cv2.IMREAD_COLOR
        if long_side:
            for factor, reduced in ((8, cv2.IMREAD_REDUCED_COLOR_8),
                                    (4, cv2.IMREAD_REDUCED_COLOR_4),
                                    (2, cv2.IMREAD_REDUCED_COLOR_2)):
                if max(self.width, self.height) / factor >= long_side:
                    flag = reduced
                    break
        image = cv2.imdecode(np.frombuffer(self.jpeg, np.uint8), flag)[..., ::-1]
        return fit_long_side(image, long_side) if long_side else image.copy()


def is_video(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES


def fit_long_side(image: np.ndarray, long_side: int) -> np.ndarray:
    import cv2

    height, width = image.shape[:2]
    scale = long_side / max(height, width)
    if scale >= 1:
        return image
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # Area averaging is needed against aliasing only for strong reductions (and slow otherwise).
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA if scale < 0.5 else cv2.INTER_LINEAR)


def probe_video(file: str | Path | BinaryIO, config: SpinConfig = SpinConfig()) -> dict:
    """Check a video's container and codec without decoding it; raise SpinError if unusable."""
    import av

    try:
        with av.open(file, mode="r") as container:
            if not container.streams.video:
                raise SpinError("no_frames", NO_FRAMES)
            stream = container.streams.video[0]
            codec = stream.codec_context.name
            duration = float(stream.duration * stream.time_base) if stream.duration else (
                container.duration / 1_000_000 if container.duration else None)
            width, height = stream.codec_context.width, stream.codec_context.height
    except SpinError:
        raise
    except (av.FFmpegError, OSError, ValueError) as error:
        raise SpinError("unreadable", "This file is not a video we can read "
                        "(use MP4, MOV or WebM straight from your phone).") from error
    if codec not in config.video_codecs:
        raise SpinError("unsupported_codec", f"The video codec '{codec}' is not supported; "
                        "record with your phone's camera app (H.264, HEVC, VP8/VP9 or AV1).")
    if duration is not None and duration > config.max_video_seconds:
        raise SpinError("too_long", f"The video is {duration:.0f} s long; keep it under "
                        f"{config.max_video_seconds:.0f} s (one slow turn around the item).")
    if width * height > config.max_pixels:
        raise SpinError("too_large", "The video resolution is too large.")
    return {"codec": codec, "duration": duration, "width": width, "height": height}


def read_video(path: Path, config: SpinConfig,
               on_progress: Callable[[float], None] = lambda fraction: None) -> list[Frame]:
    """Decode at most `config.max_candidates` evenly spread frames, upright, at `work_size`.

    The stride comes from the frame count when the container knows it; when it does not (WebM)
    or is wrong, the stride doubles whenever twice the budget is held: memory stays bounded.
    """
    import av

    info = probe_video(path, config)
    kept: list[Frame] = []
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            expected = stream.frames or (info["duration"] or 0) * float(stream.average_rate or 0)
            stride = max(1, math.ceil(expected / config.max_candidates))
            for index, frame in enumerate(container.decode(stream)):
                if index % stride:
                    continue
                time = float(frame.time) if frame.time is not None else None
                if time is not None and info["duration"]:
                    on_progress(min(1.0, time / info["duration"]))
                image = fit_long_side(frame.to_ndarray(format="rgb24"), config.work_size)
                image = np.ascontiguousarray(np.rot90(image, k=round(frame.rotation / 90) % 4)) \
                    if frame.rotation else image
                kept.append(Frame.from_pixels(image, path.name, time))
                if len(kept) >= 2 * config.max_candidates:
                    kept, stride = kept[::2], stride * 2
                if time is not None and time > config.max_video_seconds:
                    raise SpinError("too_long", "The video is too long; keep it under "
                                    f"{config.max_video_seconds:.0f} s.")
    except av.FFmpegError as error:
        if not kept:
            raise SpinError("unreadable", "The video could not be decoded.") from error
        # A truncated file: use the frames decoded before the damage.
    if not kept:
        raise SpinError("no_frames", NO_FRAMES)
    step = max(1, -(-len(kept) // config.max_candidates))
    return kept[::step]


def read_photo(path: Path, config: SpinConfig) -> np.ndarray:
    """A photo as upright 8-bit RGB pixels at most `work_size` a side, decoded as the engine
    decodes uploads (`vision.images`: HEIC, 16-bit, alpha on white, …)."""
    from PIL import Image

    from vision.images import ImageError, ImageTooLarge, open_image

    try:
        image = open_image(path, max_pixels=config.max_pixels)
    except ImageTooLarge as error:
        raise SpinError("too_large", f"{path.name} has too many pixels.") from error
    except ImageError as error:
        raise SpinError("not_an_image",
                        f"{path.name} is not a photo we can read ({error}).") from error
    image.thumbnail((config.work_size, config.work_size), Image.Resampling.LANCZOS)
    return np.asarray(image)


def read_photos(paths: list[Path], config: SpinConfig) -> list[Frame]:
    if len(paths) > config.max_photos:
        raise SpinError("too_many_photos",
                        f"{len(paths)} photos: use at most {config.max_photos}.")
    return [Frame.from_pixels(read_photo(path, config), path.name) for path in paths]


def read_input(path: Path, config: SpinConfig,
               on_progress: Callable[[float], None] = lambda fraction: None) -> tuple[str, list[Frame]]:
    """("video" | "photos", frames) for a video file, or a folder of photos (sorted by name)."""
    if path.is_dir():
        photos = sorted(p for p in path.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)
        return "photos", read_photos(photos, config)
    if is_video(path):
        return "video", read_video(path, config, on_progress)
    raise SpinError("unsupported_input", "Upload a video (MP4, MOV, WebM) or 8–72 photos.")
