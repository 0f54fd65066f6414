from django import template

from .. import selectors
from ..forms import DraftListingForm
from ..models import ListingTag

register = template.Library()


@register.simple_tag
def similar_items(listing, limit: int = 8):
    return selectors.similar_listings(listing, limit)


@register.simple_tag
def vision_panel(listing, draft_form=None):
    """Progress, the suggestions not answered yet (and whether there were any) and confirmed
    tags for the seller's suggestions panel; for a draft, the form that publishes it
    (`draft_form`, the one the seller sent with its errors, else one filled in from the
    suggestions)."""
    suggestions = selectors.listing_suggestions(listing)
    panel = {"progress": selectors.analysis_progress(listing),
             "suggestions": selectors.unanswered(listing, suggestions),
             "any_suggested": bool(suggestions),
             "tags": ListingTag.objects.filter(listing=listing)}
    if listing.is_draft:
        panel["draft_form"] = draft_form or DraftListingForm(
            instance=listing, suggestions=panel["suggestions"])
    return panel
