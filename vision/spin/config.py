"""Settings of the spin pipeline and the one error type it raises."""
from dataclasses import dataclass


@dataclass(frozen=True)
class SpinConfig:
    output_frames: int = 36          # frames of the finished spin (fewer if fewer distinct views)
    display_size: int = 720          # square display rendition, pixels
    zoom_size: int = 1440            # square zoom rendition (capped by the source resolution)
    sprite_frame_size: int = 128     # low-res frames of the sprite sheet the viewer loads first
    analysis_size: int = 256         # long side of the copies used for segmentation/ordering
    work_size: int = 1600            # long side frames are decoded/loaded at (memory bound)
    min_views: int = 8               # fewer distinct views than this is "not enough angles"
    max_photos: int = 72
    max_video_seconds: float = 60.0
    max_candidates: int = 120        # frames kept from a video before selection
    max_pixels: int = 40_000_000     # per photo / video frame (decompression-bomb guard)
    video_codecs: tuple[str, ...] = ("h264", "hevc", "vp8", "vp9", "av1", "mpeg4")
    blur_ratio: float = 0.35         # sharpness below this fraction of the median is "blurred"
    duplicate_distance: float = 0.004  # descriptor distance under which two frames are the same
    loop_gap_ratio: float = 2.5      # closing gap vs median step above which the loop is open
    item_fill: float = 0.72          # item height as a fraction of the output frame
    jpeg_quality: int = 85
    item_min_area: float = 0.005     # fraction of the frame the item mask must cover...
    item_max_area: float = 0.9       # ...and may cover at most
    min_measured_views: int = 12         # below this, angles assume even spacing (steps too large)


class SpinError(Exception):
    """A capture we cannot turn into a spin; `message` is written for the seller."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
