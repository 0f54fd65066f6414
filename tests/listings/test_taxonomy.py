from marketplace.listings.models import Category
from marketplace.listings.services import sync_categories
from vision.taxonomy import walk


def test_every_taxonomy_node_is_a_category_with_its_parent(db):
    for node, parent in walk():
        category = Category.objects.get(slug=node.slug)
        assert category.name == node.name
        assert (category.parent.slug if category.parent else None) == (parent.slug if parent else None)
    assert Category.objects.count() == len(list(walk()))


def test_positions_follow_the_taxonomy_order(db):
    roots = list(Category.objects.filter(parent=None).values_list("slug", flat=True))
    assert roots == [node.slug for node, parent in walk() if parent is None]


def test_syncing_again_changes_nothing(db):
    before = list(Category.objects.values_list("pk", "slug", "parent_id", "position"))
    sync_categories()
    assert list(Category.objects.values_list("pk", "slug", "parent_id", "position")) == before


def test_a_vertical_includes_its_sub_categories(db):
    fashion = Category.objects.get(slug="fashion")
    ids = set(fashion.descendant_ids())
    assert Category.objects.get(slug="dresses").pk in ids
    assert Category.objects.get(slug="fruit").pk not in ids


def test_sync_restores_flushed_and_renamed_categories(db):
    Category.objects.filter(slug="dresses").update(name="Frocks", position=99)
    sync_categories()
    dresses = Category.objects.get(slug="dresses")
    assert (dresses.name, dresses.parent.slug) == ("Dresses", "fashion")
