from django.contrib import admin

from marketplace.admin_columns import day, text

from .models import (
    Block,
    Comment,
    Friendship,
    Notification,
    Poll,
    PollInvite,
    PollOption,
    SavedListing,
    Vote,
)


@admin.register(Friendship)
class FriendshipAdmin(admin.ModelAdmin):
    list_display = ["from_user", "to_user", "status", day("requested_at", "Requested")]
    list_filter = ["status"]
    raw_id_fields = ["from_user", "to_user"]


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    raw_id_fields = ["blocker", "blocked"]


@admin.register(SavedListing)
class SavedListingAdmin(admin.ModelAdmin):
    list_display = ["user", text("listing", "Listing"), day("created_at", "Saved")]
    list_select_related = ["user", "listing"]
    raw_id_fields = ["user", "listing"]


class PollOptionInline(admin.TabularInline):
    model = PollOption
    raw_id_fields = ["listing"]
    extra = 0


class PollInviteInline(admin.TabularInline):
    model = PollInvite
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ["question", "owner", "created_at", "closed_at"]
    raw_id_fields = ["owner"]
    exclude = ["share_token_hash"]
    inlines = [PollOptionInline, PollInviteInline]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = [text("poll", "Question"), "voter", text("option", "Option"),
                    day("updated_at", "Voted")]
    list_select_related = ["poll", "voter", "option"]
    raw_id_fields = ["poll", "voter", "option"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = [text("poll", "Question"), "author", text("body", "Comment", 80),
                    day("created_at", "Written")]
    list_select_related = ["poll", "author"]
    raw_id_fields = ["poll", "author"]
    search_fields = ["body"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "actor", "kind", day("created_at", "Created")]  # read: a filter
    list_filter = ["kind", "is_read"]
    raw_id_fields = ["recipient", "actor", "poll"]
