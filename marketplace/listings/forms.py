from django import forms

from .models import Category, Listing
from .selectors import categories_in_tree_order
from .services import EDITABLE_FIELDS


class CategoryChoiceField(forms.ModelChoiceField):
    """Categories in tree order, sub-categories indented under their vertical."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", categories_in_tree_order())
        super().__init__(**kwargs)

    def label_from_instance(self, category: Category) -> str:
        return f"\u2003{category.name}" if category.parent_id else category.name


class ListingForm(forms.ModelForm):
    category = CategoryChoiceField(empty_label="Choose a category")

    class Meta:
        model = Listing
        fields = EDITABLE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "price": forms.NumberInput(attrs={"min": "0", "step": "0.01", "inputmode": "decimal"}),
        }
        help_texts = {"location": "City or area, shown to buyers."}
