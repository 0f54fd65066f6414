"""Model-free dominant colour: every object pixel is named, the most common name wins.

A phone photo of a product shows the product in the middle and mostly background (a wall, a sheet,
a wooden floor) along the border, so a colour's weight is how much more often it occurs inside the
frame than on its border ring, times a centre prior. Each pixel is named from its CIELAB
lightness, chroma and hue angle (through a lookup table over 32 levels per channel, built once),
so the shading of one fabric mostly keeps its name: dark navy stays blue, a red jacket's folds
stay red. The score is the weighted share of the object carrying the winning name. Stripes,
checks and prints ("multicolour") are told by their texture, by a second name far from the first
covering enough of the object, or by no name covering enough of it.

It is cheap on purpose (the engine runs it on every photo): a nearest-neighbour sample, lookup
tables and a few histograms; no clustering, sorting or Python loops over pixels.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

COLOURS = ("black", "white", "grey", "beige", "brown", "red", "pink", "orange", "yellow",
           "green", "blue", "purple", "multicolour")
NAMES = COLOURS[:-1]  # the names a single pixel can get

SAMPLE_SIDE = 128  # nearest-neighbour sample of the decoded photo (cheap, keeps real colours) …
ANALYSIS_SIDE = 64  # … averaged 2x2 down to this: JPEG noise goes, stripes mostly stay
LUT_BITS = 5

# Naming thresholds in CIELAB (L 0..100, chroma C = |(a, b)|, hue angle h in degrees).
ACHROMATIC_CHROMA = 9.0  # below this a pixel is black, grey or white
BLACK_LIGHTNESS = 30.0
WHITE_LIGHTNESS = 78.0
# Hue sectors, (upper bound of h, name), in order; light and dull variants are handled below.
HUE_SECTORS = ((5.0, "pink"), (50.0, "red"), (75.0, "orange"), (105.0, "yellow"),
               (195.0, "green"), (312.0, "blue"), (340.0, "purple"), (360.0, "pink"))
PINK_LIGHTNESS = 62.0  # a red lighter than this is pink, and so is a magenta purple …
MAGENTA_HUE = 325.0  # … (hue at least this)
BEIGE_LIGHTNESS = 58.0  # a dull orange/yellow lighter than this is beige, darker is brown
DULL_CHROMA = 32.0  # orange/yellow duller than this is beige or brown
OLIVE_HUE = 85.0  # … except a dark dull yellow, which is olive green
BROWN_RED_LIGHTNESS = 35.0  # … and a dull dark red is brown
BROWN_RED_CHROMA = 30.0

MASK_BITS = 4  # colours are binned 16 levels per channel to tell object from background
BORDER_RING = 0.15  # the outer 15 % of each side is taken as mostly background
CENTRE_FALLOFF = 0.6  # pixel weight 1 at the centre … 1 - falloff at the corners
MULTICOLOUR_SECOND = 0.25  # a second name covering this much of the object …
MULTICOLOUR_DELTA_E = 40.0  # … whose mean colour is at least this far from the main one
PATTERN_TEXTURE = 16.0  # a `texture` this high → multicolour (a print, stripes, a check)
MIN_DOMINANT_SHARE = 0.3  # no name covering this much of the object → multicolour
MAX_WHITE_GAIN = 1.2


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) uint8/float sRGB in 0..255 → CIELAB (D65), float32 (OpenCV's conversion)."""
    rgb = np.asarray(rgb, dtype=np.float32) * np.float32(1 / 255)
    flat = np.ascontiguousarray(rgb.reshape(-1, 1, 3))
    return cv2.cvtColor(flat, cv2.COLOR_RGB2Lab).reshape(rgb.shape)


def name_lab(lab: np.ndarray) -> np.ndarray:
    """Name index (into `NAMES`) for each (..., 3) Lab colour."""
    lightness, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    chroma = np.hypot(a, b)
    hue = np.degrees(np.arctan2(b, a)) % 360
    bounds = np.array([bound for bound, _ in HUE_SECTORS])
    sector = np.array([NAMES.index(name) for _, name in HUE_SECTORS])
    names = sector[np.minimum(np.searchsorted(bounds, hue, side="right"), len(bounds) - 1)]
    index = NAMES.index
    red, orange, yellow = names == index("red"), names == index("orange"), names == index("yellow")
    magenta = (names == index("purple")) & (hue >= MAGENTA_HUE)
    names = np.where((red | magenta) & (lightness >= PINK_LIGHTNESS), index("pink"), names)
    names = np.where(red & (lightness < BROWN_RED_LIGHTNESS) & (chroma < BROWN_RED_CHROMA),
                     index("brown"), names)
    dull = (orange | yellow) & (chroma < DULL_CHROMA)
    dark_dull = np.where(hue >= OLIVE_HUE, index("green"), index("brown"))
    names = np.where(dull, np.where(lightness >= BEIGE_LIGHTNESS, index("beige"), dark_dull),
                     names)
    names = np.where(orange & ~dull & (lightness < BEIGE_LIGHTNESS), index("brown"), names)
    grey = np.where(lightness < BLACK_LIGHTNESS, index("black"),
                    np.where(lightness > WHITE_LIGHTNESS, index("white"), index("grey")))
    return np.where(chroma < ACHROMATIC_CHROMA, grey, names).astype(np.uint8)


def name_of(lab: np.ndarray) -> list[str]:
    """Colour name for each (N, 3) Lab colour."""
    return [NAMES[i] for i in name_lab(np.asarray(lab, dtype=np.float32))]


def _naming_table() -> np.ndarray:
    """Name index for every 5-bit-per-channel RGB cell (named at the cell's centre)."""
    levels = (np.arange(1 << LUT_BITS) << (8 - LUT_BITS)) + (1 << (7 - LUT_BITS))
    grid = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1)
    return name_lab(srgb_to_lab(grid.reshape(-1, 3))).ravel()


def _cells(rgb: np.ndarray) -> np.ndarray:
    """Flat index of each pixel's `LUT_BITS`-per-channel RGB cell."""
    q = (rgb >> (8 - LUT_BITS)).astype(np.uint16)
    return ((q[..., 0] << (2 * LUT_BITS)) | (q[..., 1] << LUT_BITS) | q[..., 2]).ravel()


def _coarse_cells() -> np.ndarray:
    """`MASK_BITS`-per-channel cell of every `LUT_BITS`-per-channel cell."""
    fine = np.arange(1 << (3 * LUT_BITS))
    channels = [(fine >> (shift * LUT_BITS)) & ((1 << LUT_BITS) - 1) for shift in (2, 1, 0)]
    r, g, b = (channel >> (LUT_BITS - MASK_BITS) for channel in channels)
    return ((r << (2 * MASK_BITS)) | (g << MASK_BITS) | b).astype(np.uint16)


def _border_ring(side: int) -> np.ndarray:
    """Flat indices of the pixels in the outer `BORDER_RING` of a side x side image."""
    ring = max(1, round(side * BORDER_RING))
    border = np.zeros((side, side), dtype=bool)
    border[:ring], border[-ring:], border[:, :ring], border[:, -ring:] = True, True, True, True
    return np.flatnonzero(border)


def _centre_prior(side: int) -> np.ndarray:
    """Flat pixel weights, 1 at the centre falling to 1 - `CENTRE_FALLOFF` at the corners, and 0
    on the border ring (which is evidence of the background, not part of the vote)."""
    x = np.linspace(-1.0, 1.0, side, dtype=np.float32)
    prior = (1.0 - CENTRE_FALLOFF * (x[:, None] ** 2 + x[None, :] ** 2) / 2).ravel()
    prior[_border_ring(side)] = 0.0
    return prior


_NAME_TABLE = _naming_table()
_COARSE = _coarse_cells()
_BORDER = _border_ring(ANALYSIS_SIDE)
_PRIOR = _centre_prior(ANALYSIS_SIDE)
# A dot product with this averages the border ring (10x faster than indexing the uint8 pixels).
_BORDER_AVERAGE = np.bincount(_BORDER, minlength=ANALYSIS_SIDE ** 2) / len(_BORDER)
_LAB8_SCALE = np.array([100 / 255, 1.0, 1.0])  # OpenCV's 8-bit Lab → CIELAB
_LAB8_OFFSET = np.array([0.0, -128.0, -128.0])


def analysis_image(image: Image.Image) -> np.ndarray:
    """The small (ANALYSIS_SIDE, ANALYSIS_SIDE, 3) uint8 RGB array colour is computed on: a
    nearest-neighbour sample (cheap at any photo size) averaged 2x2, which removes JPEG noise
    but keeps most stripes and checks apart."""
    if image.mode != "RGB":
        image = image.convert("RGB")
    sample = image.resize((SAMPLE_SIDE, SAMPLE_SIDE), Image.NEAREST)
    return cv2.resize(np.asarray(sample), (ANALYSIS_SIDE, ANALYSIS_SIDE),
                      interpolation=cv2.INTER_AREA)


def white_balance(rgb: np.ndarray) -> np.ndarray:
    """White-patch correction: the brightest 4x4 block of the frame (per channel) is taken as
    white, so a white shirt under warm indoor light is not read as grey or beige. The gain is
    capped at `MAX_WHITE_GAIN`: a stronger one turns pale tints into white."""
    side = rgb.shape[0] // 4
    bright = cv2.resize(rgb, (side, side), interpolation=cv2.INTER_AREA).reshape(-1, 3).max(0)
    gain = np.clip(255.0 / np.maximum(bright, 1), 1.0, MAX_WHITE_GAIN)
    if (gain == 1.0).all():
        return rgb
    table = np.minimum(np.arange(256)[:, None] * gain, 255).astype(np.uint8)
    return cv2.LUT(rgb, table.reshape(256, 1, 3))


def object_weights(cells: np.ndarray) -> np.ndarray:
    """Flat per-pixel weight of belonging to the object, from the pixels' `_cells`. A colour's
    weight is the share of its density (binned coarser, `MASK_BITS`) that lies inside the frame
    rather than on the border ring, to the 4th power, so colours common on the border (a wall,
    a sheet, the tones of a wooden floor) count little; times a centre prior. A garment that
    fills the frame has its colour inside and on the border alike and keeps a middling weight,
    which is all that is left once the background has gone."""
    cells = _COARSE[cells]
    bins = 1 << (3 * MASK_BITS)
    on_border = np.bincount(cells[_BORDER], minlength=bins)
    inside = np.bincount(cells, minlength=bins) - on_border
    density_inside = inside / (len(cells) - len(_BORDER))
    share = density_inside / np.maximum(density_inside + on_border / len(_BORDER), 1e-12)
    return np.square(np.square(share))[cells] * _PRIOR  # share ** 4, without the slow pow


def texture(lightness: np.ndarray, weights: np.ndarray) -> float:
    """Mean lightness step (CIELAB L) between neighbouring object pixels, weighted, from flat
    square arrays: high for stripes, checks and prints, low for plain fabric, whose folds change
    lightness slowly. `lightness` is OpenCV's 8-bit L (0..255)."""
    side = round(len(lightness) ** 0.5)
    level = lightness.reshape(side, side).astype(np.int16)
    weights = weights.reshape(side, side)
    step = np.maximum(np.abs(np.diff(level, axis=1))[:-1], np.abs(np.diff(level, axis=0))[:, :-1])
    inside = np.minimum(np.minimum(weights[:-1, :-1], weights[1:, :-1]), weights[:-1, 1:])
    return float((step * inside).sum() / max(inside.sum(), 1e-9)) * 100 / 255


def _mean_lab(lab8: np.ndarray, weights: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Weighted mean CIELAB colour of the selected pixels of a flat 8-bit Lab array (a product
    with masked weights: several times faster than indexing the uint8 pixels)."""
    chosen = np.where(where, weights, 0.0)
    return chosen @ lab8 / max(chosen.sum(), 1e-9) * _LAB8_SCALE + _LAB8_OFFSET


@dataclass(frozen=True)
class Analysis:
    """One photo's object pixels, named: what both the model-free answer and the colour head's
    statistics are read from (flat arrays over the `ANALYSIS_SIDE`² pixels)."""

    lab8: np.ndarray  # OpenCV 8-bit Lab of the white-balanced pixels
    weights: np.ndarray  # `object_weights`
    names: np.ndarray  # index into NAMES
    shares: np.ndarray  # (len(NAMES),) weighted share of the object per name, summing to 1
    texture: float


def analyse(small: np.ndarray) -> Analysis:
    """Name the pixels of an `analysis_image` array and weigh them towards the object."""
    rgb = white_balance(small)
    lab8 = cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab).reshape(-1, 3)
    cells = _cells(rgb)
    weights = object_weights(cells)
    names = _NAME_TABLE[cells]
    shares = np.bincount(names, weights, minlength=len(NAMES))
    shares /= shares.sum()
    return Analysis(lab8, weights, names, shares, texture(lab8[:, 0], weights))


def dominant_colour(small: np.ndarray | Image.Image) -> tuple[str, float]:
    """(name, score) of an `analysis_image` array (a PIL image is passed through
    `analysis_image` first): the name covering most of the object, scored by its (weighted)
    share. "multicolour" when the object's `texture` reaches
    `PATTERN_TEXTURE`, when another name whose mean colour is far from the main one (ΔE ≥
    `MULTICOLOUR_DELTA_E`, so a navy shirt's black folds do not count) covers at least
    `MULTICOLOUR_SECOND` of the object, or when no name covers `MIN_DOMINANT_SHARE` of it."""
    if isinstance(small, Image.Image):
        small = analysis_image(small)
    return dominant_colour_of(analyse(small))


def dominant_colour_of(analysis: Analysis) -> tuple[str, float]:
    """`dominant_colour` of an already analysed photo."""
    lab8, weights, names, shares = analysis.lab8, analysis.weights, analysis.names, analysis.shares
    order = np.argsort(-shares, kind="stable")
    top = order[0]
    if analysis.texture >= PATTERN_TEXTURE:
        return "multicolour", round(float(1.0 - shares[top]), 4)
    for other in order[1:]:
        if shares[other] < MULTICOLOUR_SECOND:
            break
        gap = _mean_lab(lab8, weights, names == other) - _mean_lab(lab8, weights, names == top)
        if float(np.sqrt(gap @ gap)) >= MULTICOLOUR_DELTA_E:
            return "multicolour", round(float(shares[top] + shares[other]), 4)
    if shares[top] < MIN_DOMINANT_SHARE:
        return "multicolour", round(float(1.0 - shares[top]), 4)
    return NAMES[top], round(float(shares[top]), 4)


HEAD_STATISTICS = len(NAMES) + 1 + 3 + 3  # the length of `head_statistics`


def head_statistics(analysis: Analysis) -> np.ndarray:
    """(HEAD_STATISTICS,) float32 summary the colour head reads: the names' object shares, the
    texture, the CIELAB mean of the top name's pixels and of the border ring (the scene's light
    and background, against which a person judges the product's colour). Unscaled: the head
    standardises its inputs."""
    top = analysis.names == np.argmax(analysis.shares)
    border = _BORDER_AVERAGE @ analysis.lab8 * _LAB8_SCALE + _LAB8_OFFSET
    return np.concatenate([analysis.shares, [analysis.texture],
                           _mean_lab(analysis.lab8, analysis.weights, top),
                           border]).astype(np.float32)


def crop_weights(analysis: Analysis, size: tuple[int, int], grid: int) -> np.ndarray:
    """The object weights over the trunk's centre square crop of a `size` (width, height) photo,
    resampled to grid x grid and summing to 1: where the trunk's early feature maps are pooled.
    The analysis image squeezes the whole photo into a square, so the crop is a band of it."""
    width, height = size
    side = min(width, height)
    weights = analysis.weights.reshape(ANALYSIS_SIDE, ANALYSIS_SIDE).astype(np.float32)
    x0 = round((width - side) / 2 / width * ANALYSIS_SIDE)
    y0 = round((height - side) / 2 / height * ANALYSIS_SIDE)
    x1 = max(x0 + 1, round((width + side) / 2 / width * ANALYSIS_SIDE))
    y1 = max(y0 + 1, round((height + side) / 2 / height * ANALYSIS_SIDE))
    band = cv2.resize(weights[y0:y1, x0:x1], (grid, grid), interpolation=cv2.INTER_AREA)
    total = float(band.sum())
    return band / total if total > 0 else np.full((grid, grid), 1 / grid ** 2, np.float32)
