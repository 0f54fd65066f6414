"""The whole spin: capture in, evenly spaced stabilised frames and a manifest out."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from .config import SpinConfig, SpinError
from .order import (close_video_loop, describe, distance_matrix, estimate_angles,
                    open_or_close_ring, ring_order)
from .output import MANIFEST_VERSION, SpinWriter
from .quality import select_views, sharpness
from .segment import find_item
from .sources import read_input
from .stabilise import (common_scale, exposure_gains, output_transform, place_item, render,
                        upright_rolls)

Progress = Callable[[int, str], None]


def not_enough_angles(count: int, config: SpinConfig) -> SpinError:
    return SpinError("not_enough_angles", f"Not enough distinct angles: we found {count} usable "
                     f"view(s) and need at least {config.min_views}. Walk slowly all the way "
                     "around the item, or take more photos from different sides.")


def pick_evenly(angles: np.ndarray, count: int, loop_closed: bool) -> list[int]:
    """Indices of the views nearest to `count` evenly spaced angles (each view used once)."""
    if count >= len(angles):
        return list(range(len(angles)))
    if loop_closed:
        targets = np.arange(count) * (360.0 / count)
        gaps = np.abs((angles[None, :] - targets[:, None] + 180.0) % 360.0 - 180.0)
    else:
        targets = np.linspace(0.0, angles[-1], count)
        gaps = np.abs(angles[None, :] - targets[:, None])
    return list(dict.fromkeys(int(i) for i in gaps.argmin(axis=1)))


def build_spin(input_path: Path, out_dir: Path, config: SpinConfig = SpinConfig(),
               on_progress: Progress = lambda percent, stage: None) -> dict:
    """Run every step; write the renditions and manifest.json to `out_dir`; return the manifest.

    Raises SpinError (with a message for the seller) for captures that cannot make a spin;
    nothing is written to `out_dir` in that case.
    """
    import cv2

    on_progress(2, "decoding")
    kind, frames = read_input(Path(input_path), config,
                              lambda fraction: on_progress(2 + int(23 * fraction), "decoding"))
    on_progress(25, "finding the item")
    analysis = [frame.pixels(config.analysis_size) for frame in frames]
    grays = [cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) for image in analysis]
    regions = [find_item(image, config.item_min_area, config.item_max_area) for image in analysis]
    found = [i for i, region in enumerate(regions) if region is not None]
    if len(frames) >= config.min_views and len(found) < len(frames) / 2:
        raise SpinError("item_not_found", "Item not found in frame: put it on a plain background "
                        "that contrasts with it, and keep all of it in the picture.")
    if len(found) < config.min_views:
        raise not_enough_angles(len(found), config)
    descriptors = np.array([describe(analysis[i], regions[i].box()) for i in found])
    chosen, blurred, duplicates = select_views(
        descriptors, np.array([sharpness(grays[i]) for i in found]), config.blur_ratio,
        config.duplicate_distance)
    if len(chosen) < config.min_views:
        raise not_enough_angles(len(chosen), config)

    on_progress(40, "ordering")
    distances = distance_matrix(descriptors[chosen])
    if kind == "photos":
        ring, loop_closed = open_or_close_ring(distances, ring_order(distances),
                                               config.loop_gap_ratio)
    else:
        count, loop_closed = close_video_loop(distances, config.loop_gap_ratio)
        ring = list(range(count))
    views = [found[chosen[i]] for i in ring]
    if len(views) < config.min_views:
        raise not_enough_angles(len(views), config)

    on_progress(55, "stabilising")
    masks = [regions[i].mask for i in views]
    rolls = upright_rolls([grays[i] for i in views], masks, loop_closed)
    placements = [place_item(mask, roll) for mask, roll in zip(masks, rolls)]
    scales = common_scale(placements, config.item_fill)
    size = config.analysis_size
    upright = [output_transform(p, s, 1.0, size) for p, s in zip(placements, scales)]
    steady_grays = [cv2.warpAffine(grays[i], m, (size, size)) for i, m in zip(views, upright)]
    radius = float(np.median([p.width * s for p, s in zip(placements, scales)])) * size / 2
    angles, angle_method, playback = estimate_angles(
        steady_grays, radius, loop_closed, config.min_measured_views)
    views = [views[i] for i in playback]
    placements, scales = [placements[i] for i in playback], [scales[i] for i in playback]
    picked = pick_evenly(angles, min(config.output_frames, len(views)), loop_closed)

    on_progress(70, "rendering")
    gains = exposure_gains([regions[views[i]].background for i in picked])
    work_per_analysis = [frames[views[i]].width / analysis[views[i]].shape[1]
                         for i in picked]
    # Never upscale: the zoom rendition is as large as the lowest-resolution picked view allows.
    native = min(work_per_analysis[k] / scales[i] for k, i in enumerate(picked))
    zoom_size = max(config.display_size, min(config.zoom_size, int(native) // 16 * 16))
    writer = SpinWriter(Path(out_dir), config.display_size, config.sprite_frame_size,
                        config.jpeg_quality)
    renditions = []
    for k, i in enumerate(picked):
        matrix = output_transform(placements[i], scales[i], work_per_analysis[k], zoom_size)
        renditions.append(writer.add(render(frames[views[i]].pixels(), matrix, zoom_size,
                                            regions[views[i]].background, float(gains[k]))))
        on_progress(70 + int(25 * (k + 1) / len(picked)), "rendering")

    manifest = writer.finish({
        "version": MANIFEST_VERSION,
        "frame_count": len(picked),
        "loop_closed": loop_closed,
        "angle_method": angle_method,
        "source": {"kind": kind, "files": sorted({frame.source for frame in frames})},
        "input_views": len(frames),
        "dropped": {"no_item": len(frames) - len(found), "blurred": blurred,
                    "duplicate": duplicates},
        "frames": [{"index": k, "angle": round(float(angles[i]), 2),
                    "source": frames[views[i]].source,
                    **({"time": round(frames[views[i]].time, 3)}
                       if frames[views[i]].time is not None else {}),
                    **renditions[k]}
                   for k, i in enumerate(picked)],
    })
    on_progress(100, "done")
    return manifest
