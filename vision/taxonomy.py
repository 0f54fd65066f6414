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
    name: str
    children: tuple["Node", ...] = field(default_factory=tuple)


def node(slug: str, name: str, *children: Node) -> Node:
    return Node(slug, name, tuple(children))


TAXONOMY: tuple[Node, ...] = (
    node("fashion", "Fashion",
         node("t-shirts", "T-shirts"),
         node("shirts", "Shirts"),
         node("polos", "Polo shirts"),
         node("long-sleeves", "Long-sleeve tops"),
         node("tops-blouses", "Tops & blouses"),
         node("hoodies", "Hoodies & sweatshirts"),
         node("undershirts", "Undershirts & tanks"),
         node("bodysuits", "Bodysuits"),
         node("outerwear", "Coats & jackets"),
         node("blazers", "Blazers & suits"),
         node("dresses", "Dresses"),
         node("skirts", "Skirts"),
         node("pants", "Trousers & jeans"),
         node("shorts", "Shorts"),
         node("shoes", "Shoes"),
         node("hats", "Hats & caps"),
         node("bags", "Bags"),
         node("accessories", "Accessories & jewellery")),
    node("home-decor", "Home & decor",
         node("furniture", "Furniture"),
         node("lighting", "Lighting"),
         node("decor", "Decor & art"),
         node("kitchen", "Kitchen & dining"),
         node("textiles", "Rugs & textiles"),
         node("garden", "Garden")),
    node("vehicles", "Vehicles & auto parts",
         node("cars", "Cars"),
         node("motorcycles", "Motorcycles & scooters"),
         node("bicycles", "Bicycles"),
         node("auto-parts", "Auto parts & tyres")),
    node("electronics", "Electronics",
         node("phones", "Phones & tablets"),
         node("computers", "Computers"),
         node("audio", "Audio & headphones"),
         node("cameras", "Cameras"),
         node("tv-video", "TV & video"),
         node("gaming", "Gaming")),
    node("food-drink", "Food & drink",
         node("fruit", "Fruit"),
         node("vegetables", "Vegetables"),
         node("dairy", "Milk, yoghurt & alternatives"),
         node("juice", "Juice")),
    node("sports", "Sports & outdoors",
         node("fitness", "Fitness"),
         node("camping", "Camping & hiking"),
         node("sports-equipment", "Sports equipment")),
    node("kids", "Kids & toys",
         node("toys", "Toys"),
         node("kids-clothing", "Kids' clothing")),
    node("books-media", "Books, music & film"),
)


def walk(nodes: tuple[Node, ...] = TAXONOMY, parent: Node | None = None):
    """Yield (node, parent) for every category, parents before children."""
    for item in nodes:
        yield item, parent
        yield from walk(item.children, item)


def vertical_of() -> dict[str, str]:
    """Map every slug to the slug of its root (its vertical)."""
    return {item.slug: (parent or item).slug for item, parent in walk()}
