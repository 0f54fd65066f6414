from django import forms

from marketplace.listings.forms import CategoryChoiceField
from marketplace.listings.models import Listing

from .query_image import InvalidImage, read_query_image
from .selectors import SearchFilters


class SearchFiltersForm(forms.Form):
    """Filters shared by text and photo search (all optional)."""

    category = CategoryChoiceField(to_field_name="slug", required=False, empty_label="Any category")
    min_price = forms.DecimalField(min_value=0, decimal_places=2, required=False, label="Min price")
    max_price = forms.DecimalField(min_value=0, decimal_places=2, required=False, label="Max price")
    condition = forms.ChoiceField(
        choices=[("", "Any condition"), *Listing.Condition.choices], required=False)
    location = forms.CharField(max_length=120, required=False)

    def filters(self) -> SearchFilters:
        data = self.cleaned_data
        return SearchFilters(category=data.get("category"), min_price=data.get("min_price"),
                             max_price=data.get("max_price"), condition=data.get("condition", ""),
                             location=data.get("location", "").strip())

    def filters_in_use(self) -> bool:
        """Whether a filter is set or has an error: the page shows the filters open only then."""
        if not self.is_bound:
            return False
        return any(self[name].errors or self[name].value() not in (None, "")
                   for name in SearchFiltersForm.base_fields)


class TextSearchForm(SearchFiltersForm):
    q = forms.CharField(max_length=200, required=False, label="Search")


class PhotoSearchForm(SearchFiltersForm):
    image = forms.FileField(label="Photo")

    def clean_image(self):
        try:
            return read_query_image(self.cleaned_data["image"])
        except InvalidImage as error:
            raise forms.ValidationError(str(error)) from None


class SuggestionAnswerForm(forms.Form):
    field = forms.CharField(max_length=40)
    value = forms.CharField(max_length=200)
