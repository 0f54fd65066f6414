from django.contrib import admin

from .models import Spin, SpinSource


class SpinSourceInline(admin.TabularInline):
    model = SpinSource
    extra = 0
    readonly_fields = ["position", "file", "original_name", "size"]


@admin.register(Spin)
class SpinAdmin(admin.ModelAdmin):
    list_display = ["id", "listing", "source_kind", "status", "progress", "frame_count",
                    "loop_closed", "is_live", "created_at"]
    list_filter = ["status", "source_kind", "is_live"]
    readonly_fields = ["key", "manifest", "output_prefix", "processed_at", "published_at"]
    raw_id_fields = ["listing", "created_by"]
    inlines = [SpinSourceInline]
