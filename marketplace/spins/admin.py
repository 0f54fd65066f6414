from django.contrib import admin

from marketplace.admin_columns import day, text

from .models import Spin, SpinSource


class SpinSourceInline(admin.TabularInline):
    model = SpinSource
    extra = 0
    readonly_fields = ["position", "file", "original_name", "size"]


@admin.register(Spin)
class SpinAdmin(admin.ModelAdmin):
    # How far a capture got (progress, frames, loop) is on its page.
    list_display = ["id", text("listing", "Listing"), "source_kind", "status", "is_live",
                    day("created_at", "Uploaded")]
    list_select_related = ["listing"]
    list_filter = ["status", "source_kind", "is_live"]
    readonly_fields = ["key", "manifest", "output_prefix", "processed_at", "published_at"]
    raw_id_fields = ["listing", "created_by"]
    inlines = [SpinSourceInline]
