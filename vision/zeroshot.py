"""Zero-shot category prior: the trunk's ImageNet-1k classifier mapped onto the taxonomy.

Used for the slugs no trained head has (other verticals, fashion's bags and accessories). Each
listed ImageNet class sends its probability to one fine slug (or splits it over several). A
slug's score is the probability mass that reached it, so an image of something outside the
mapping (a dog, a landscape) scores low everywhere and no tag is suggested.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from vision.taxonomy import walk

# ImageNet class names (as in vision/data/imagenet_classes.txt) → fine taxonomy slug.
IMAGENET_TO_SLUG: dict[str, str | dict[str, float]] = {
    # fashion
    "jersey": "t-shirts", "sweatshirt": "hoodies", "cardigan": "long-sleeves",
    "pajama": "long-sleeves", "maillot": "bodysuits", "brassiere": "undershirts",
    "bikini": "undershirts", "trench_coat": "outerwear", "fur_coat": "outerwear",
    "cloak": "outerwear", "poncho": "outerwear", "lab_coat": "outerwear", "suit": "blazers",
    "military_uniform": "blazers", "gown": "dresses", "abaya": "dresses", "kimono": "dresses",
    "hoopskirt": "skirts", "miniskirt": "skirts", "overskirt": "skirts", "sarong": "skirts",
    "jean": "pants", "swimming_trunks": "shorts", "running_shoe": "shoes", "Loafer": "shoes",
    "clog": "shoes", "sandal": "shoes", "cowboy_boot": "shoes", "cowboy_hat": "hats",
    "sombrero": "hats", "bonnet": "hats", "bathing_cap": "hats", "mortarboard": "hats",
    "backpack": "bags", "purse": "bags", "mailbag": "bags", "plastic_bag": "bags",
    "wallet": "accessories", "sunglasses": "accessories", "sunglass": "accessories",
    "necklace": "accessories", "digital_watch": "accessories", "Windsor_tie": "accessories",
    "bow_tie": "accessories", "bolo_tie": "accessories", "stole": "accessories",
    "feather_boa": "accessories", "mitten": "accessories", "sock": "accessories",
    "wig": "accessories", "hair_slide": "accessories", "buckle": "accessories",
    # home & decor
    "studio_couch": "furniture", "rocking_chair": "furniture", "folding_chair": "furniture",
    "desk": "furniture", "dining_table": "furniture", "bookcase": "furniture",
    "chiffonier": "furniture", "china_cabinet": "furniture", "wardrobe": "furniture",
    "four-poster": "furniture", "crib": "furniture", "cradle": "furniture", "throne": "furniture",
    "park_bench": "furniture", "barber_chair": "furniture", "chest": "furniture",
    "table_lamp": "lighting", "lampshade": "lighting", "spotlight": "lighting",
    "candle": "lighting", "torch": "lighting", "vase": "decor", "wall_clock": "decor",
    "analog_clock": "decor", "hourglass": "decor", "pillow": "decor", "mask": "decor",
    "frying_pan": "kitchen", "wok": "kitchen", "teapot": "kitchen", "coffeepot": "kitchen",
    "coffee_mug": "kitchen", "cup": "kitchen", "mixing_bowl": "kitchen", "soup_bowl": "kitchen",
    "plate": "kitchen", "Dutch_oven": "kitchen", "Crock_Pot": "kitchen", "caldron": "kitchen",
    "ladle": "kitchen", "spatula": "kitchen", "wooden_spoon": "kitchen", "strainer": "kitchen",
    "measuring_cup": "kitchen", "waffle_iron": "kitchen", "toaster": "kitchen",
    "microwave": "kitchen", "espresso_maker": "kitchen", "dishwasher": "kitchen",
    "refrigerator": "kitchen", "stove": "kitchen", "cocktail_shaker": "kitchen",
    "corkscrew": "kitchen", "can_opener": "kitchen", "cleaver": "kitchen",
    "saltshaker": "kitchen", "water_jug": "kitchen", "pitcher": "kitchen", "goblet": "kitchen",
    "beer_glass": "kitchen", "plate_rack": "kitchen", "tray": "kitchen",
    "quilt": "textiles", "prayer_rug": "textiles", "doormat": "textiles",
    "bath_towel": "textiles", "dishrag": "textiles", "velvet": "textiles", "wool": "textiles",
    "shower_curtain": "textiles", "window_shade": "textiles",
    "lawn_mower": "garden", "shovel": "garden", "rain_barrel": "garden", "pot": "garden",
    "greenhouse": "garden", "worm_fence": "garden",
    # vehicles
    "sports_car": "cars", "convertible": "cars", "cab": "cars", "jeep": "cars",
    "limousine": "cars", "minivan": "cars", "beach_wagon": "cars", "Model_T": "cars",
    "racer": "cars", "pickup": "cars", "police_van": "cars", "moving_van": "cars",
    "minibus": "cars", "moped": "motorcycles", "motor_scooter": "motorcycles",
    "mountain_bike": "bicycles", "bicycle-built-for-two": "bicycles", "tricycle": "bicycles",
    "unicycle": "bicycles", "car_wheel": "auto-parts", "grille": "auto-parts",
    "disk_brake": "auto-parts", "oil_filter": "auto-parts", "car_mirror": "auto-parts",
    "seat_belt": "auto-parts", "odometer": "auto-parts",
    # electronics
    "cellular_telephone": "phones", "dial_telephone": "phones", "hand-held_computer": "phones",
    "laptop": "computers", "notebook": "computers", "desktop_computer": "computers",
    "computer_keyboard": "computers", "mouse": "computers", "monitor": "computers",
    "printer": "computers", "modem": "computers", "hard_disc": "computers",
    "space_bar": "computers", "loudspeaker": "audio", "cassette_player": "audio",
    "tape_player": "audio", "radio": "audio", "CD_player": "audio", "iPod": "audio",
    "microphone": "audio", "reflex_camera": "cameras", "Polaroid_camera": "cameras",
    "lens_cap": "cameras", "tripod": "cameras", "television": "tv-video", "screen": "tv-video",
    "projector": "tv-video", "remote_control": "tv-video", "home_theater": "tv-video",
    "joystick": "gaming",
    # food & drink
    "Granny_Smith": "fruit", "strawberry": "fruit", "orange": "fruit", "lemon": "fruit",
    "fig": "fruit", "pineapple": "fruit", "banana": "fruit", "jackfruit": "fruit",
    "custard_apple": "fruit", "pomegranate": "fruit", "head_cabbage": "vegetables",
    "broccoli": "vegetables", "cauliflower": "vegetables", "zucchini": "vegetables",
    "spaghetti_squash": "vegetables", "acorn_squash": "vegetables",
    "butternut_squash": "vegetables", "cucumber": "vegetables", "artichoke": "vegetables",
    "bell_pepper": "vegetables", "cardoon": "vegetables", "mushroom": "vegetables",
    "corn": "vegetables", "eggnog": "dairy", "milk_can": "dairy",
    "carton": {"dairy": 0.5, "juice": 0.5}, "pop_bottle": "juice",
    # sports
    "dumbbell": "fitness", "barbell": "fitness", "punching_bag": "fitness",
    "mountain_tent": "camping", "sleeping_bag": "camping", "canoe": "camping",
    "paddle": "camping", "tennis_ball": "sports-equipment", "golf_ball": "sports-equipment",
    "soccer_ball": "sports-equipment", "basketball": "sports-equipment",
    "volleyball": "sports-equipment", "rugby_ball": "sports-equipment",
    "baseball": "sports-equipment", "croquet_ball": "sports-equipment",
    "ping-pong_ball": "sports-equipment", "racket": "sports-equipment",
    "ski": "sports-equipment", "puck": "sports-equipment", "football_helmet": "sports-equipment",
    "crash_helmet": "sports-equipment",
    # kids, media
    "teddy": "toys", "jigsaw_puzzle": "toys", "piggy_bank": "toys", "pinwheel": "toys",
    "balloon": "toys", "bib": "kids-clothing", "diaper": "kids-clothing",
    "book_jacket": "books-media", "comic_book": "books-media",
    "crossword_puzzle": "books-media",
}


def fine_slugs() -> list[str]:
    """Fine level of the taxonomy: leaves (a root without children is its own fine level)."""
    return [item.slug for item, _ in walk() if not item.children]


@lru_cache(maxsize=1)
def mapping_matrix() -> tuple[np.ndarray, tuple[str, ...]]:
    """(1000, n_slugs) matrix that moves ImageNet probability mass onto fine slugs."""
    from vision.trunk import imagenet_class_names

    names = imagenet_class_names()
    slugs = tuple(fine_slugs())
    column = {slug: i for i, slug in enumerate(slugs)}
    matrix = np.zeros((len(names), len(slugs)), dtype=np.float32)
    for row, name in enumerate(names):
        target = IMAGENET_TO_SLUG.get(name)
        shares = {target: 1.0} if isinstance(target, str) else (target or {})
        for slug, share in shares.items():
            matrix[row, column[slug]] += share
    return matrix, slugs
