"""The marketplace's category taxonomy: the label space of the category heads.

The site seeds its Category table from `TAXONOMY` (a data migration in `marketplace.listings`),
so a predicted slug is always a real category. Roots are verticals (the coarse level); their
children are the fine level.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Node:
    slug: str
    name: str  # the category as the site lists it, usually plural: "Dresses", "T-shirts"
    item: str  # one thing of it, as a listing title names it mid-sentence: "dress", "t-shirt"
    children: tuple["Node", ...] = field(default_factory=tuple)


def node(slug: str, name: str, item: str, *children: Node) -> Node:
    return Node(slug, name, item, tuple(children))


TAXONOMY: tuple[Node, ...] = (
    node("fashion", "Fashion", "fashion item",
         node("t-shirts", "T-shirts", "t-shirt"),
         node("shirts", "Shirts", "shirt"),
         node("polos", "Polo shirts", "polo shirt"),
         node("long-sleeves", "Long-sleeve tops", "long-sleeve top"),
         node("tops-blouses", "Tops & blouses", "top"),
         node("hoodies", "Hoodies & sweatshirts", "hoodie"),
         node("undershirts", "Undershirts & tanks", "undershirt"),
         node("bodysuits", "Bodysuits", "bodysuit"),
         node("outerwear", "Coats & jackets", "jacket"),
         node("blazers", "Blazers & suits", "blazer"),
         node("dresses", "Dresses", "dress"),
         node("skirts", "Skirts", "skirt"),
         node("pants", "Trousers & jeans", "trousers"),
         node("shorts", "Shorts", "shorts"),
         node("shoes", "Shoes", "shoes"),
         node("hats", "Hats & caps", "hat"),
         node("bags", "Bags", "bag"),
         node("accessories", "Accessories & jewellery", "accessory")),
    node("home-decor", "Home & decor", "home item",
         node("furniture", "Furniture", "furniture"),
         node("lighting", "Lighting", "lamp"),
         node("decor", "Decor & art", "decoration"),
         node("kitchen", "Kitchen & dining", "kitchenware"),
         node("textiles", "Rugs & textiles", "textile"),
         node("garden", "Garden", "garden item")),
    node("vehicles", "Vehicles & auto parts", "vehicle",
         node("cars", "Cars", "car"),
         node("motorcycles", "Motorcycles & scooters", "motorcycle"),
         node("bicycles", "Bicycles", "bicycle"),
         node("auto-parts", "Auto parts & tyres", "car part")),
    node("electronics", "Electronics", "electronic device",
         node("phones", "Phones & tablets", "phone"),
         node("computers", "Computers", "computer"),
         node("audio", "Audio & headphones", "audio device"),
         node("cameras", "Cameras", "camera"),
         node("tv-video", "TV & video", "TV"),
         node("gaming", "Gaming", "gaming gear")),
    node("food-drink", "Food & drink", "food item",
         node("fruit", "Fruit", "fruit"),
         node("vegetables", "Vegetables", "vegetable"),
         node("dairy", "Milk, yoghurt & alternatives", "dairy product"),
         node("juice", "Juice", "juice")),
    node("sports", "Sports & outdoors", "sports item",
         node("fitness", "Fitness", "fitness equipment"),
         node("camping", "Camping & hiking", "camping gear"),
         node("sports-equipment", "Sports equipment", "sports equipment")),
    node("kids", "Kids & toys", "kids' item",
         node("toys", "Toys", "toy"),
         node("kids-clothing", "Kids' clothing", "kids' clothing")),
    node("books-media", "Books, music & film", "book"),
)


def walk(nodes: tuple[Node, ...] = TAXONOMY, parent: Node | None = None):
    """Yield (node, parent) for every category, parents before children."""
    for item in nodes:
        yield item, parent
        yield from walk(item.children, item)


def vertical_of() -> dict[str, str]:
    """Map every slug to the slug of its root (its vertical)."""
    return {item.slug: (parent or item).slug for item, parent in walk()}


def item_names() -> dict[str, str]:
    """Map every slug to how a listing title names one item of it ("dresses" → "dress")."""
    return {item.slug: item.item for item, _ in walk()}
