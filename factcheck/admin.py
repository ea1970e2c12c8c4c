"""The emergency admin for superusers. Everyday work goes through the desk's screens,
which write audit events; here the domain tables are read-only."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import (
    Article,
    AuditEvent,
    Claim,
    ErrorReport,
    Note,
    Publication,
    Rating,
    Source,
    User,
    Verdict,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class DeskUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "email", "is_active", "last_login")
    list_filter = ("is_active", "groups")
    fieldsets = UserAdmin.fieldsets + (("Desk", {"fields": ("display_name",)}),)


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ("title", "outlet", "state", "ingested_by", "ingested_at")
    list_filter = ("state", "outlet")
    search_fields = ("title", "outlet", "author")
    date_hierarchy = "ingested_at"


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "article",
        "state",
        "kind",
        "score",
        "assignee",
        "due_at",
    )
    list_filter = ("state", "kind")
    search_fields = ("text",)
    list_select_related = ("article", "assignee")


@admin.register(Source)
class SourceAdmin(ReadOnlyAdmin):
    list_display = ("title", "url", "claim", "added_by", "added_at", "removed_at")
    list_select_related = ("claim", "added_by")


@admin.register(Note)
class NoteAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "author", "created_at")
    list_select_related = ("author",)


@admin.register(Verdict)
class VerdictAdmin(ReadOnlyAdmin):
    list_display = ("claim", "rating", "state", "is_current", "author", "submitted_at")
    list_filter = ("state", "rating")
    list_select_related = ("claim", "rating", "author")


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ("label", "value", "requires_source", "required_approvals", "order")


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ("article", "version", "published_by", "published_at")
    list_select_related = ("article", "published_by")


@admin.register(ErrorReport)
class ErrorReportAdmin(ReadOnlyAdmin):
    list_display = ("article", "claim_number", "state", "created_at")
    list_filter = ("state",)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "action", "summary", "request_id")
    list_filter = ("action",)
    search_fields = ("summary", "actor_label")
    date_hierarchy = "at"
