from django.utils.functional import SimpleLazyObject

from .selectors import unread_notification_count


def social(request):
    """`social_unread_count` for the nav bell; the query runs only if a template reads it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"social_unread_count": SimpleLazyObject(lambda: unread_notification_count(user))}
