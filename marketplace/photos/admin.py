from django.contrib import admin
from django.utils.html import format_html

from marketplace.admin_columns import day, text

from .models import Photo


class PhotoPreview:
    """A `preview` column for photo admins: the thumbnail, or the state while there is none."""

    @admin.display(description="Preview")
    def preview(self, photo: Photo) -> str:
        if not photo.thumbnail:
            return photo.get_status_display()
        return format_html('<img src="{}" alt="" width="80" height="80" loading="lazy">',
                           photo.thumbnail.url)


@admin.register(Photo)
class PhotoAdmin(PhotoPreview, admin.ModelAdmin):
    list_display = ["preview", text("listing", "Listing"), "status",
                    text("failure_reason", "Failure reason", 60), day("created_at", "Uploaded")]
    list_filter = ["status"]
    list_select_related = ["listing"]
    search_fields = ["listing__title", "sha256"]
    raw_id_fields = ["listing"]
    # The original is private (it may carry GPS): the admin shows renditions only.
    exclude = ["original"]
    readonly_fields = ["preview", "display", "thumbnail", "status", "failure_reason", "width",
                       "height", "sha256", "created_at", "processed_at"]

    def has_add_permission(self, request) -> bool:
        return False  # photos come in through the seller's upload, which validates them
