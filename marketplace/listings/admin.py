from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse

from marketplace.admin_columns import day, text
from marketplace.listings.templatetags.listing_tags import price
from marketplace.photos.admin import PhotoPreview
from marketplace.photos.models import Photo

from . import services
from .models import Category, Listing


class PhotoInline(PhotoPreview, admin.TabularInline):
    model = Photo
    extra = 0
    fields = ("preview", "position", "status", "failure_reason", "width", "height")
    readonly_fields = ("preview", "status", "failure_reason", "width", "height")
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # photos arrive through the upload pipeline, which validates them


class HideReasonForm(forms.Form):
    reason = forms.CharField(max_length=200, help_text="Kept with the listing for the record.")


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    # What a moderator decides on; condition, photos and the rest are on the listing's page.
    list_display = (text("title", "Title", 50), "seller", text("category", "Category"),
                    "price_display", "state", day("created_at", "Listed"))
    list_filter = ("status", "is_hidden", "condition", ("category", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "description", "seller__username")
    list_select_related = ("seller", "category")
    raw_id_fields = ("seller",)
    readonly_fields = ("is_hidden", "hidden_reason", "created_at", "updated_at")
    inlines = [PhotoInline]
    actions = ["hide", "restore"]

    @admin.display(description="Price", ordering="price")
    def price_display(self, listing: Listing) -> str:
        return price(listing)

    @admin.display(description="State", ordering="status")
    def state(self, listing: Listing) -> str:
        return "Hidden" if listing.is_hidden else listing.get_status_display()

    @admin.action(description="Hide selected listings (moderation)", permissions=["change"])
    def hide(self, request, queryset):
        form = HideReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            count = services.hide_listings(queryset, form.cleaned_data["reason"])
            self.message_user(request, f"{count} listing(s) hidden.", messages.SUCCESS)
            return None
        return TemplateResponse(request, "admin/listings/hide_reason.html", {
            **self.admin_site.each_context(request),
            "title": "Hide listings",
            "opts": self.model._meta,
            "form": form,
            "listings": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })

    @admin.action(description="Restore selected hidden listings", permissions=["change"])
    def restore(self, request, queryset):
        count = services.restore_listings(queryset)
        self.message_user(request, f"{count} listing(s) restored.", messages.SUCCESS)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "parent", "position")
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
