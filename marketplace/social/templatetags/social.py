from django import template

from marketplace.social.models import SavedListing

register = template.Library()


@register.simple_tag(takes_context=True)
def is_saved(context, listing) -> bool:
    """Whether the logged-in user has `listing` on their saved list."""
    user = context["request"].user
    return (
        user.is_authenticated and SavedListing.objects.filter(user=user, listing=listing).exists()
    )
