from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count
from django.utils.html import format_html
from rest_framework.authtoken.admin import TokenAdmin as BaseTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from marketplace.admin_columns import day, text

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email_address", "is_active", "listing_count",
                    day("date_joined", "Joined"))
    list_filter = ("is_staff", "is_superuser", "is_active")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(listing_count=Count("listings"))

    @admin.display(description="Email address", ordering="email")
    def email_address(self, user: User) -> str:
        """May wrap before the "@" (an address has no spaces to wrap at)."""
        local, at, domain = user.email.partition("@")
        return format_html("{}<wbr>{}{}", local, at, domain)

    @admin.display(description="Listings", ordering="listing_count")
    def listing_count(self, user: User) -> int:
        return user.listing_count


admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(BaseTokenAdmin):
    # A key is a password: its first characters tell tokens apart without showing it whole.
    list_display = (text("key", "Key", 8), "user", day("created", "Created"))
