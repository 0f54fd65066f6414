"""Synthetic data folders laid out like ../shared/data and like a marketplace export."""
import json

from PIL import Image, ImageDraw

PRODUCTS = {  # name → (coarse class, folder, colour, description)
    "Red-Apple": ("Apple", "Fruit", (200, 30, 30), "A crisp red apple."),
    "Green-Pear": ("Pear", "Fruit", (60, 160, 60), "A juicy green pear."),
    "Oat-Drink": ("Oat-Milk", "Packages", (240, 240, 220), "A white oat milk carton."),
    "Orange-Juice": ("Juice", "Packages", (250, 150, 20), "Orange juice, no pulp."),
}


def photo(path, colour, variant, shape):
    image = Image.new("RGB", (64, 64), (120 + 20 * variant, 120, 110))
    draw = ImageDraw.Draw(image)
    box = (10 + variant, 8, 54 - variant, 56)
    (draw.ellipse if shape else draw.rectangle)(box, fill=colour)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)


def make_data_root(root):
    grocery = root / "grocery"
    rows = ["Class Name (str),Class ID (int),Coarse Class Name (str),Coarse Class ID (int),"
            "Iconic Image Path (str),Product Description Path (str)"]
    splits = {"train": [], "val": []}
    for fine, (name, (coarse, folder, colour, text)) in enumerate(PRODUCTS.items()):
        base = f"iconic-images-and-descriptions/{folder}/{coarse}/{name}"
        photo(grocery / f"{base}/{name}_Iconic.jpg", colour, 0, fine % 2)
        (grocery / f"{base}/{name}_Description.txt").write_text(text)
        rows.append(f"{name},{fine},{coarse},{fine},/{base}/{name}_Iconic.jpg,"
                    f"/{base}/{name}_Description.txt")
        for i in range(6):
            split = "val" if i >= 4 else "train"
            relative = f"{split}/{folder}/{coarse}/{name}/{name}_{i:03d}.jpg"
            photo(grocery / relative, colour, i, fine % 2)
            splits[split].append(f"{relative}, {fine}, {fine}")
    (grocery / "classes.csv").write_text("\n".join(rows) + "\n")
    for split, lines in splits.items():
        (grocery / f"{split}.txt").write_text("\n".join(lines) + "\n")

    clothing = root / "clothing"
    labels = ["image,label,kids"]
    garments = {"T-Shirt": (30, 60, 190), "Dress": (220, 120, 170), "Hat": (40, 40, 40)}
    for g, (label, colour) in enumerate(garments.items()):
        for i in range(10):
            name = f"{label.lower()}-{i}.jpg"
            photo(clothing / "images" / name, colour, i % 5, g % 2)
            labels.append(f"{name},{label},{i % 3 == 0}")
    (clothing / "labels.csv").write_text("\n".join(labels) + "\n")


def make_marketplace_export(folder, listings):
    """Write a folder as `manage.py export_training_data` does (photos/, manifest.jsonl).

    `listings`: (listing id, title, description, category slug, confirmed tags, colour, photos).
    """
    rows = []
    for listing, title, description, category, confirmed, colour, count in listings:
        for i in range(count):
            name = f"photos/{listing * 10 + i}.jpg"
            photo(folder / name, colour, i, listing % 2)
            rows.append({"photo": name, "listing": listing, "title": title,
                         "description": description, "category": category,
                         "confirmed": confirmed})
    (folder / "manifest.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
