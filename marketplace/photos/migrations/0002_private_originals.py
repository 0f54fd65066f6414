"""Originals move to the private storage (settings.STORAGES["private"]), which is never served.

Originals uploaded before this migration sit in the public (default) storage: they are moved
across, so none is lost and none stays reachable.
"""
from django.core.files.storage import storages
from django.db import migrations, models

import marketplace.photos.models


def move_originals_to_private_storage(apps, schema_editor):
    public, private = storages["default"], storages["private"]
    Photo = apps.get_model("photos", "Photo")
    for name in Photo.objects.exclude(original="").values_list("original", flat=True).iterator():
        if public.exists(name) and not private.exists(name):
            with public.open(name, "rb") as original:
                private.save(name, original)
        if private.exists(name) and public.exists(name):
            public.delete(name)


class Migration(migrations.Migration):

    dependencies = [
        ("photos", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="photo",
            name="original",
            field=models.FileField(max_length=255,
                                   storage=marketplace.photos.models.private_storage,
                                   upload_to=marketplace.photos.models.original_upload_to),
        ),
        migrations.RunPython(move_originals_to_private_storage, migrations.RunPython.noop),
    ]
