"""Model-free dominant colour on solid colours and real photos."""
import numpy as np
import pytest
from PIL import Image, ImageDraw

from vision.colour import dominant_colour, kmeans, srgb_to_lab


@pytest.mark.parametrize("rgb,name", [
    ((15, 15, 15), "black"), ((128, 128, 128), "grey"), ((200, 20, 30), "red"),
    ((30, 60, 190), "blue"), ((30, 140, 60), "green"), ((250, 220, 30), "yellow"),
    ((250, 140, 20), "orange"), ((120, 45, 145), "purple"), ((120, 72, 35), "brown"),
    ((250, 175, 195), "pink"),
])
def test_object_on_a_white_background(rgb, name):
    image = Image.new("RGB", (120, 120), (245, 245, 245))
    ImageDraw.Draw(image).ellipse((25, 20, 95, 100), fill=rgb)
    label, score = dominant_colour(image)
    assert label == name and score > 0.8


@pytest.mark.parametrize("rgb,name", [((200, 20, 30), "red"), ((250, 250, 250), "white")])
def test_solid_colour_images(rgb, name):
    assert dominant_colour(Image.new("RGB", (50, 80), rgb)) == (name, 1.0)


def test_background_is_ignored():
    image = Image.new("RGB", (120, 120), (20, 40, 200))  # a blue wall …
    ImageDraw.Draw(image).rectangle((40, 30, 80, 90), fill=(210, 20, 25))  # … behind a red item
    assert dominant_colour(image)[0] == "red"


def test_stripes_are_multicolour():
    image = Image.new("RGB", (120, 120), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    for i, rgb in enumerate([(200, 20, 30), (30, 60, 190), (250, 220, 30), (30, 140, 60)] * 3):
        draw.rectangle((20, 10 + i * 8, 100, 17 + i * 8), fill=rgb)
    assert dominant_colour(image)[0] == "multicolour"


def test_real_photos(photos):
    assert dominant_colour(Image.open(photos["hoodie_pink"]))[0] == "pink"
    assert dominant_colour(Image.open(photos["apple_granny_smith"]))[0] == "green"


def test_lab_reference_values():
    np.testing.assert_allclose(srgb_to_lab(np.array([255, 255, 255])), [100, 0, 0], atol=0.05)
    np.testing.assert_allclose(srgb_to_lab(np.array([255, 0, 0])), [53.24, 80.09, 67.20],
                               atol=0.05)


def test_kmeans_finds_two_clusters():
    points = np.concatenate([np.zeros((50, 3)), np.full((30, 3), 10.0)])
    centres, labels = kmeans(points, 2)
    assert sorted(np.bincount(labels)) == [30, 50]
    assert sorted(centres[:, 0].round(4)) == [0.0, 10.0]
