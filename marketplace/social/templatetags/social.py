from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from marketplace.social.models import SavedListing

register = template.Library()


@register.simple_tag(takes_context=True)
def is_saved(context, listing) -> bool:
    """Whether the logged-in user has `listing` on their saved list."""
    user = context["request"].user
    return (
        user.is_authenticated and SavedListing.objects.filter(user=user, listing=listing).exists()
    )


@register.filter
def ago(moment) -> str:
    """`just now` under a minute, else Django's `timesince` with `ago` (`3 minutes ago`) where
    `timesince` alone would say `0 minutes`."""
    if moment is None:
        return ""
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment)} ago"
