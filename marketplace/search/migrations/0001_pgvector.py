from django.db import migrations
from pgvector.django import VectorExtension


class Migration(migrations.Migration):
    """Enable pgvector; every vector column in the project depends on this migration."""

    initial = True
    dependencies = []
    operations = [VectorExtension()]
