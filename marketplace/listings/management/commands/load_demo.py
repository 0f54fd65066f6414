"""`manage.py load_demo`: demo users and listings with real photos. Safe to run again.

Users are matched by username and listings by (seller, title): only what is missing is created,
and photos are added only to a demo listing that has none. Data and photo credits live in
`marketplace/listings/demo/`.
"""
from decimal import Decimal
from pathlib import Path

import yaml
from django.core.files import File
from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from marketplace.accounts.models import User
from marketplace.listings import services
from marketplace.listings.models import Category, Listing
from marketplace.photos.models import Photo
from marketplace.photos.services import process_photo

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
STATUS_CHANGES = {Listing.Status.SOLD: services.mark_sold, Listing.Status.REMOVED: services.remove_listing}


class Command(BaseCommand):
    help = "Create demo users and listings with photos (idempotent)."

    def handle(self, *args, **options):
        demo = yaml.safe_load((DEMO_DIR / "listings.yaml").read_text())
        users = {spec["username"]: self.user(spec) for spec in demo["users"]}
        created_listings = created_photos = 0
        # Created last to first, so the browse page (newest first) follows the file's order.
        for spec in tqdm(demo["listings"][::-1], desc="Demo listings", unit="listing",
                         disable=options["verbosity"] == 0):
            listing, created = self.listing(users[spec["seller"]], spec)
            created_listings += created
            if not listing.photos.exists():
                created_photos += self.add_photos(listing, spec["photos"])
        self.stdout.write(f"Demo data: {len(users)} users, {created_listings} new listings, "
                          f"{created_photos} new photos.")

    def user(self, spec: dict) -> User:
        user, created = User.objects.get_or_create(
            username=spec["username"],
            defaults={"email": spec["email"], "is_staff": spec.get("staff", False),
                      "is_superuser": spec.get("staff", False)})
        if created:
            user.set_password(spec["password"])
            user.save(update_fields=["password"])
        return user

    @transaction.atomic
    def listing(self, seller: User, spec: dict) -> tuple[Listing, bool]:
        existing = Listing.objects.filter(seller=seller, title=spec["title"]).first()
        if existing:
            return existing, False
        listing = services.create_listing(
            seller,
            title=spec["title"],
            description=spec["description"],
            price=Decimal(spec["price"]),
            currency=spec.get("currency", Listing.Currency.EUR),
            category=Category.objects.get(slug=spec["category"]),
            condition=spec["condition"],
            location=spec["location"],
        )
        if spec.get("status") in STATUS_CHANGES:
            STATUS_CHANGES[spec["status"]](listing)
        return listing, True

    def add_photos(self, listing: Listing, names: list[str]) -> int:
        for position, name in enumerate(names):
            with open(DEMO_DIR / "photos" / name, "rb") as source:
                photo = Photo.objects.create(
                    listing=listing, position=position, original=File(source, name=name))
            process_photo(photo)
        return len(names)
