"""The one FilterSet behind the browse page and the listings API."""
import django_filters
from django.db.models import QuerySet

from .forms import CategoryChoiceField
from .models import Category, Listing
from .selectors import categories_in_tree_order


class CategoryFilter(django_filters.ModelChoiceFilter):
    field_class = CategoryChoiceField


class ListingFilter(django_filters.FilterSet):
    SORTS = {
        "newest": ("-created_at", "-pk"),
        "price_asc": ("price", "-created_at", "-pk"),
        "price_desc": ("-price", "-created_at", "-pk"),
    }

    category = CategoryFilter(
        queryset=categories_in_tree_order(), to_field_name="slug", method="filter_category",
        empty_label="All categories", help_text="A vertical includes all its sub-categories.")
    min_price = django_filters.NumberFilter(
        field_name="price", lookup_expr="gte", label="Min price", min_value=0)
    max_price = django_filters.NumberFilter(
        field_name="price", lookup_expr="lte", label="Max price", min_value=0)
    condition = django_filters.ChoiceFilter(
        choices=Listing.Condition.choices, empty_label="Any condition")
    sort = django_filters.ChoiceFilter(
        choices=[("newest", "Newest first"), ("price_asc", "Price: low to high"),
                 ("price_desc", "Price: high to low")],
        method="sort_listings", empty_label=None, label="Sort")

    class Meta:
        model = Listing
        fields = ["category", "min_price", "max_price", "condition", "sort"]

    def filter_category(self, queryset: QuerySet, name: str, category: Category) -> QuerySet:
        return queryset.filter(category_id__in=category.descendant_ids())

    def sort_listings(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*self.SORTS[value])
