"""Seed the Category table from `vision.taxonomy`, so every slug the model predicts exists."""
from django.db import migrations


def seed_categories(apps, schema_editor):
    from marketplace.listings.services import sync_categories

    sync_categories(apps.get_model("listings", "Category"))


class Migration(migrations.Migration):
    dependencies = [("listings", "0001_initial")]

    operations = [migrations.RunPython(seed_categories, migrations.RunPython.noop)]
