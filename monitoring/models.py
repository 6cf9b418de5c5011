"""Upstream: monitoring.admin, monitoring.apis, monitoring.notifications.dispatch, monitoring.selectors, monitoring.services, (Django app registry)
Downstream: trading.bus.messages
Role: Notice: every notice the notification service received, repeats grouped into one row with a count."""

from django.db import models

from trading.bus.messages import NoticeLevel

LEVELS = [(level.value, level.value) for level in NoticeLevel]


class Notice(models.Model):
    """A notice and its repeats: the same kind about the same portfolio and node within the
    grouping window (GINKGO_NOTIFY_GROUP_WINDOW) add to ``count`` instead of a new row.

    Times are event times (when the component noticed). ``deliveries`` holds, per sink, what
    happened to the latest occurrence: sent, failed, grouped (a repeat inside the repeat
    interval), rate_limited or below_level.
    """

    level = models.CharField(max_length=8, choices=LEVELS, db_index=True)
    kind = models.CharField(max_length=64, help_text="monitoring.notifications.kinds")
    source = models.CharField(max_length=128, blank=True, help_text="who noticed it last")
    portfolio_id = models.CharField(max_length=64, blank=True)
    node_id = models.CharField(max_length=64, blank=True)
    message = models.TextField(help_text="the latest occurrence's text")
    count = models.PositiveIntegerField(default=1, help_text="occurrences grouped here")
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)
    last_event_ns = models.BigIntegerField(
        help_text="event time of the latest occurrence (epoch ns): older ones are redeliveries"
    )
    deliveries = models.JSONField(default=dict, blank=True, help_text="sink -> outcome")

    class Meta:
        ordering = ("-last_seen", "-id")
        indexes = [
            models.Index(fields=("kind", "portfolio_id", "node_id", "last_seen")),
            models.Index(fields=("portfolio_id", "last_seen")),
            models.Index(fields=("node_id", "last_seen")),
        ]

    def __str__(self) -> str:
        subject = self.portfolio_id or self.node_id or "-"
        return f"{self.level} {self.kind} {subject} x{self.count}"
