from django import forms

from marketplace.listings.forms import CategoryChoiceField, ListingForm
from marketplace.listings.models import Listing
from marketplace.listings.services import EDITABLE_FIELDS, REQUIRED_TO_PUBLISH

from .query_image import InvalidImage, read_query_image
from .selectors import SearchFilters, Suggestion, draft_tags


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


class DraftListingForm(ListingForm):
    """A draft's details, filled in from the model's `suggestions` (those not answered yet): the
    category and title where the draft has none, and one box per suggested colour or attribute
    (holding what the seller saved in it, if anything). On publishing, each suggestion the
    seller left filled in, as suggested or edited, is their answer to it (`answers`); a box
    they emptied is no answer. Saving the draft for later (`publishing=False`) needs none of
    the fields a listing for sale must have, and answers nothing (`fields_to_save`,
    `tags_to_save`)."""

    TAG_PREFIX = "tag_"

    # Slugs, as suggestions name categories.
    category = CategoryChoiceField(to_field_name="slug", empty_label="Choose a category")

    def __init__(self, *args, suggestions: list[Suggestion], publishing: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not publishing:
            for name in REQUIRED_TO_PUBLISH:
                self.fields[name].required = False
        self.suggestions = {suggestion.field: suggestion for suggestion in suggestions}
        saved = draft_tags(self.instance)
        if self.instance.category_id:
            self.initial["category"] = self.instance.category.slug
        for name in ("category", "title"):
            if name in self.suggestions and not self.initial.get(name):
                self.initial[name] = self.suggestions[name].value
                self.mark_suggested(self.fields[name])
        for suggestion in self.suggestions.values():
            if suggestion.field not in ("category", "title"):
                field = forms.CharField(
                    label=suggestion.field.capitalize(), required=False, max_length=120,
                    initial=saved.get(suggestion.field, suggestion.value))
                if suggestion.field not in saved:
                    self.mark_suggested(field)
                self.fields[self.TAG_PREFIX + suggestion.field] = field

    def mark_suggested(self, field: forms.Field) -> forms.Field:
        """Tell the page's script which boxes hold a suggestion rather than the seller's
        words: newer suggestions may replace those, never what the seller wrote."""
        if not self.is_bound:
            field.widget.attrs["data-suggested"] = ""
        return field

    def listing_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}

    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in EDITABLE_FIELDS]

    def tag_fields(self) -> list[forms.BoundField]:
        return [field for field in self if field.name.startswith(self.TAG_PREFIX)]

    def holds_suggestion(self, field: str, value: str) -> bool:
        return field in self.suggestions and self.suggestions[field].value == value

    def fields_to_save(self) -> dict:
        """The details to save for later. A category or title box still holding its suggestion
        is saved empty, so that it goes on following the suggestions (more photos may change
        them); the page fills it in again."""
        fields = self.listing_fields()
        if self.holds_suggestion("category", getattr(fields["category"], "slug", "")):
            fields["category"] = None
        if self.holds_suggestion("title", fields["title"]):
            fields["title"] = ""
        return fields

    def tags_to_save(self) -> dict[str, str | None]:
        """The suggestion boxes sent (a box the page did not show yet is left as saved): the
        seller's value, "" for a box emptied, None for one still holding the suggestion."""
        values = {box.name.removeprefix(self.TAG_PREFIX): self.cleaned_data[box.name]
                  for box in self.tag_fields() if box.html_name in self.data}
        return {field: None if self.holds_suggestion(field, value) else value
                for field, value in values.items()}

    def answers(self) -> dict[str, str]:
        values = {field: self.cleaned_data.get(self.TAG_PREFIX + field, "")
                  for field in self.suggestions}
        values.update(category=self.cleaned_data["category"].slug,
                      title=self.cleaned_data["title"])
        return {field: values[field].strip() for field in self.suggestions
                if values[field].strip()}
