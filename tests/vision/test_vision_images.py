"""Decoding of awkward inputs: every mode becomes RGB, bad input raises a readable ImageError."""
import io

import numpy as np
import pytest
from PIL import Image

from vision.images import ImageError, open_image


def encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("mode", ["CMYK", "P", "RGBA", "LA", "L", "1", "I;16", "I", "F"])
def test_every_mode_becomes_rgb(mode):
    image = Image.new("RGB", (40, 30), (200, 30, 30)).convert(mode)
    result = open_image(image)
    assert result.mode == "RGB" and result.size == (40, 30)


def test_sixteen_bit_png_keeps_its_brightness():
    array = np.full((20, 20), 65535 // 2, dtype=np.uint16)
    data = encode(Image.fromarray(array), "PNG")
    rgb = np.asarray(open_image(data))
    assert 120 <= rgb.mean() <= 135


def test_dark_sixteen_bit_png_stays_dark():
    """Values up to 63 of 65535 are near black, not a quarter of the 8-bit range."""
    array = (np.arange(400, dtype=np.uint16) % 64).reshape(20, 20)
    data = encode(Image.fromarray(array), "PNG")
    assert Image.open(io.BytesIO(data)).mode == "I;16"
    assert np.asarray(open_image(data)).max() == 0


def test_transparent_pixels_become_white():
    image = Image.new("RGBA", (20, 20), (255, 0, 0, 0))
    assert np.asarray(open_image(encode(image, "PNG"))).min() == 255


def test_palette_with_transparency_round_trips():
    image = Image.new("P", (20, 20), 0)
    image.putpalette([0, 0, 255] * 256)
    image.info["transparency"] = 1
    assert open_image(encode(image, "PNG")).getpixel((0, 0)) == (0, 0, 255)


def test_corrupt_bytes_raise_a_clear_error():
    data = encode(Image.new("RGB", (64, 64), "blue"), "JPEG")
    with pytest.raises(ImageError, match="not a readable image"):
        open_image(data[:200])
    with pytest.raises(ImageError, match="not a readable image"):
        open_image(b"definitely not an image")


def test_tiny_image_is_refused():
    with pytest.raises(ImageError, match="too small"):
        open_image(encode(Image.new("RGB", (1, 1)), "PNG"))


def test_decompression_bomb_is_refused_before_decoding():
    data = encode(Image.new("L", (4000, 3000)), "PNG")
    with pytest.raises(ImageError, match="too large"):
        open_image(data, max_pixels=1_000_000)


def test_missing_file_and_wrong_type(tmp_path):
    with pytest.raises(ImageError, match="no such file"):
        open_image(tmp_path / "missing.jpg")
    with pytest.raises(ImageError, match="unsupported input"):
        open_image(12345)
