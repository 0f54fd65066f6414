"""Weak labels mined from listing text (titles, descriptions) and seller-confirmed tags.

A small, documented lexicon: words that name a colour, a material or a category. Text is
lower-cased and split into words; a lexicon entry matches whole words (multi-word entries match
as phrases). Seller-confirmed tags are trusted as they are and win over text.

    labels = labels_from_text("Golden Delicious has a greenish yellow shell", ["fruit"])
    labels.colours == {"green", "yellow"}; labels.category == "fruit"
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from vision.colour import COLOURS
from vision.zeroshot import fine_slugs

COLOUR_WORDS: dict[str, str] = {
    **{name: name for name in COLOURS if name != "multicolour"},
    "gray": "grey", "greyish": "grey", "greenish": "green", "yellowish": "yellow",
    "reddish": "red", "bluish": "blue", "brownish": "brown", "pinkish": "pink",
    "navy": "blue", "turquoise": "blue", "teal": "green", "olive": "green", "lime": "green",
    "khaki": "beige", "cream": "beige", "ivory": "white", "crimson": "red", "burgundy": "red",
    "maroon": "red", "scarlet": "red", "golden": "yellow", "gold": "yellow", "lemon": "yellow",
    "violet": "purple", "lilac": "purple", "lavender": "purple", "tan": "brown",
    "chocolate": "brown", "charcoal": "grey", "silver": "grey", "magenta": "pink",
    "multicoloured": "multicolour", "multicolored": "multicolour", "striped": "multicolour",
}

MATERIAL_WORDS: dict[str, str] = {
    "cotton": "cotton", "wool": "wool", "woollen": "wool", "leather": "leather",
    "polyester": "polyester", "denim": "denim", "linen": "linen", "silk": "silk",
    "nylon": "nylon", "plastic": "plastic", "glass": "glass", "metal": "metal",
    "steel": "metal", "wood": "wood", "wooden": "wood", "cardboard": "paper", "paper": "paper",
}

CATEGORY_WORDS: dict[str, str] = {
    "t-shirt": "t-shirts", "tee": "t-shirts", "shirt": "shirts", "polo": "polos",
    "longsleeve": "long-sleeves", "long sleeve": "long-sleeves", "blouse": "tops-blouses",
    "top": "tops-blouses", "hoodie": "hoodies", "sweatshirt": "hoodies",
    "undershirt": "undershirts", "tank top": "undershirts", "bodysuit": "bodysuits",
    "body": "bodysuits", "jacket": "outerwear", "coat": "outerwear", "blazer": "blazers",
    "dress": "dresses", "skirt": "skirts", "trousers": "pants", "pants": "pants",
    "jeans": "pants", "shorts": "shorts", "shoes": "shoes", "sneakers": "shoes",
    "boots": "shoes", "hat": "hats", "cap": "hats", "bag": "bags",
    "bulb": "lighting", "lamp": "lighting",
    # packaged products before produce: "apple juice" is juice, not fruit
    "juice": "juice", "milk": "dairy", "yoghurt": "dairy", "yogurt": "dairy",
    "oatghurt": "dairy", "soyghurt": "dairy", "sour cream": "dairy", "oat drink": "dairy",
    "fruit": "fruit", "apple": "fruit", "pear": "fruit", "vegetable": "vegetables",
    "vegetables": "vegetables",
}


@dataclass
class WeakLabels:
    category: str | None = None
    colours: set[str] = field(default_factory=set)
    materials: set[str] = field(default_factory=set)


def find_terms(text: str, lexicon: dict[str, str]) -> list[str]:
    """Lexicon values for every entry found in `text` as whole words, in order of appearance."""
    lowered = text.lower()
    hits: list[tuple[int, str]] = []
    for term, value in lexicon.items():
        for match in re.finditer(rf"(?<![\w-]){re.escape(term)}(?![\w-])", lowered):
            hits.append((match.start(), value))
    return [value for _, value in sorted(hits)]


def labels_from_text(text: str, confirmed_tags=()) -> WeakLabels:
    """Colour/material/category labels from listing text; confirmed tags are added as-is.

    A confirmed tag that is a taxonomy slug sets the category; one that is a colour or material
    name is added to those sets. Among text hits, the category word listed first in
    `CATEGORY_WORDS` wins (the lexicon is ordered from specific to generic).
    """
    slugs = set(fine_slugs())
    labels = WeakLabels(colours=set(find_terms(text, COLOUR_WORDS)),
                        materials=set(find_terms(text, MATERIAL_WORDS)))
    found = set(find_terms(text, CATEGORY_WORDS))
    labels.category = next((slug for slug in CATEGORY_WORDS.values() if slug in found), None)
    for tag in confirmed_tags:
        tag = str(tag).strip().lower()
        if tag in slugs:
            labels.category = tag
        elif tag in COLOUR_WORDS:
            labels.colours.add(COLOUR_WORDS[tag])
        elif tag in MATERIAL_WORDS:
            labels.materials.add(MATERIAL_WORDS[tag])
    return labels
