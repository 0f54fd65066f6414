"""Weak labels from listing text and seller-confirmed tags."""
from vision.weak_labels import labels_from_text


def test_colours_materials_and_category_from_text():
    labels = labels_from_text("Navy cotton hoodie with a light grey print")
    assert labels.category == "hoodies"
    assert labels.colours == {"blue", "grey"}
    assert labels.materials == {"cotton"}


def test_grocery_description_packaged_product_beats_its_fruit():
    text = "God Morning Apple is unfiltered, which gives a richer juice with real apple flavor."
    assert labels_from_text(text).category == "juice"


def test_whole_words_only():
    labels = labels_from_text("Tanned leather redesigned boots")
    assert labels.colours == set()  # neither "tan" in "tanned" nor "red" in "redesigned"
    assert labels.category == "shoes" and labels.materials == {"leather"}


def test_confirmed_tags_win_over_text():
    labels = labels_from_text("Cotton t-shirt", confirmed_tags=["Shirts", "Wool", "green"])
    assert labels.category == "shirts"
    assert labels.materials == {"cotton", "wool"} and labels.colours == {"green"}


def test_abo_style_metadata():
    labels = labels_from_text("color: Iron Grey; fabric_type: 100% Polyester; style: Yoga Bag")
    assert labels.colours == {"grey"} and labels.materials == {"polyester"}
    assert labels.category == "bags"
