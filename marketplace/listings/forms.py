from django import forms

from .models import Category, Listing
from .selectors import categories_in_tree_order
from .services import EDITABLE_FIELDS, REQUIRED_TO_PUBLISH


class CategoryChoiceField(forms.ModelChoiceField):
    """Categories in tree order, sub-categories indented under their vertical."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", categories_in_tree_order())
        super().__init__(**kwargs)

    def label_from_instance(self, category: Category) -> str:
        return f"\u2003{category.name}" if category.parent_id else category.name


class ListingForm(forms.ModelForm):
    """A listing's details as buyers see them: what a draft may lack is required here."""

    category = CategoryChoiceField(empty_label="Choose a category")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, message in REQUIRED_TO_PUBLISH.items():
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = message

    class Meta:
        model = Listing
        fields = EDITABLE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "price": forms.NumberInput(attrs={"min": "0", "step": "0.01", "inputmode": "decimal"}),
        }
        help_texts = {"location": "City or area, shown to buyers."}
