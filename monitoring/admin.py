"""Upstream: (Django admin autodiscovery)
Downstream: monitoring.models, trading.admin, trading.permissions
Role: the Django admin of monitoring: stored notices, read-only, filterable by level, kind and time."""

from django.contrib import admin

from monitoring.models import Notice
from trading.admin import ReadOnlyAdmin
from trading.permissions import NOTICE_READ


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    read_permission = NOTICE_READ
    list_display = (
        "last_seen",
        "level",
        "kind",
        "portfolio_id",
        "node_id",
        "count",
        "message",
        "source",
    )
    list_filter = ("level", "kind", "last_seen")
    search_fields = ("message", "portfolio_id", "node_id", "kind", "source")
    date_hierarchy = "last_seen"
