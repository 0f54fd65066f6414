"""Seed the Category table from `vision.taxonomy`, so every slug the model predicts exists.

Idempotent (update_or_create by slug): re-running it, or running it after the taxonomy grew,
updates names, parents and positions without touching listings.
"""
from django.db import migrations


def seed_categories(apps, schema_editor):
    from vision.taxonomy import walk

    Category = apps.get_model("listings", "Category")
    by_slug = {}
    positions: dict[str | None, int] = {}
    for node, parent in walk():
        parent_slug = parent.slug if parent else None
        position = positions.get(parent_slug, 0)
        positions[parent_slug] = position + 1
        by_slug[node.slug], _ = Category.objects.update_or_create(
            slug=node.slug,
            defaults={"name": node.name, "parent": by_slug.get(parent_slug), "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("listings", "0001_initial")]

    operations = [migrations.RunPython(seed_categories, migrations.RunPython.noop)]
