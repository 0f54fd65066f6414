from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("spins/listing_spin.html", takes_context=True)
def listing_spin(context, listing):
    """The listing's live spin for everyone; for its seller, also the way to make one."""
    user = context["request"].user
    spin = selectors.live_spin(listing)
    return {"listing": listing, "viewer": selectors.viewer_data(spin) if spin else None,
            "is_seller": user.is_authenticated and listing.seller_id == user.pk}
