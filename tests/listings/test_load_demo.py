from django.core.management import call_command

from marketplace.accounts.models import User
from marketplace.listings.models import Listing
from marketplace.photos.models import Photo


def counts():
    return User.objects.count(), Listing.objects.count(), Photo.objects.count()


def test_load_demo_is_idempotent_and_makes_photos(categories, media_root):
    call_command("load_demo", verbosity=0)
    first = counts()
    users, listings, photos = first
    assert users >= 3 and listings >= 24 and photos >= listings
    assert User.objects.get(username="anna").check_password("shoplens-demo")
    assert User.objects.get(username="admin").is_staff
    assert set(Listing.objects.values_list("category__parent__slug", flat=True)) >= {
        "fashion", "food-drink", "home-decor"}
    assert Listing.objects.filter(status=Listing.Status.SOLD).exists()
    assert not Photo.objects.exclude(status=Photo.Status.DONE).exists()
    photo = Photo.objects.first()
    assert photo.thumbnail.storage.exists(photo.thumbnail.name) and photo.width and len(photo.sha256) == 64
    call_command("load_demo", verbosity=0)
    assert counts() == first
