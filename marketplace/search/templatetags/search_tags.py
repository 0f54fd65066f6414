from django import template

from .. import selectors
from ..models import ListingTag

register = template.Library()


@register.simple_tag
def similar_items(listing, limit: int = 8):
    return selectors.similar_listings(listing, limit)


@register.simple_tag
def vision_panel(listing):
    """Progress, the suggestions not answered yet (and whether there were any) and confirmed
    tags for the seller's suggestions panel."""
    suggestions = selectors.listing_suggestions(listing)
    return {"progress": selectors.analysis_progress(listing),
            "suggestions": selectors.unanswered(listing, suggestions),
            "any_suggested": bool(suggestions),
            "tags": ListingTag.objects.filter(listing=listing)}
