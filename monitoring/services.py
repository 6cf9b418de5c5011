"""Upstream: monitoring.notifications.dispatch
Downstream: monitoring.models, monitoring.notifications.intake, monitoring.notifications.kinds, trading.bus.codec
Role: the write side of monitoring: record a notice (grouping repeats into one row) and what each sink did with it."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from monitoring.models import Notice
from monitoring.notifications import kinds
from monitoring.notifications.intake import LEVEL_RANK, IncomingNotice
from trading.bus.codec import from_ns


@dataclass(frozen=True, slots=True)
class RecordedNotice:
    """The row a notice went to; ``first`` when it opened a new group."""

    notice: Notice
    first: bool


def notice_record(*, incoming: IncomingNotice, window: timedelta) -> RecordedNotice | None:
    """Store ``incoming``: a repeat of an open group (same kind, portfolio and node, last seen
    within ``window`` of it) adds to that group's count; anything else opens a new row.

    None when ``incoming`` is not newer than its group's latest occurrence: a redelivery
    (consumers are at-least-once; notices about one subject keep their order on the topic).
    """
    at = from_ns(incoming.ts)
    with transaction.atomic():
        group = _open_group(incoming, at - window)
        if group is None:
            notice = Notice.objects.create(
                level=incoming.level.value,
                kind=incoming.kind,
                source=incoming.source,
                portfolio_id=incoming.portfolio_id,
                node_id=incoming.node_id,
                message=incoming.message,
                first_seen=at,
                last_seen=at,
                last_event_ns=incoming.ts,
            )
            return RecordedNotice(notice, first=True)
        if incoming.ts <= group.last_event_ns:
            return None
        group.count += 1
        group.last_seen = max(group.last_seen, at)
        group.last_event_ns = incoming.ts
        group.message = incoming.message
        group.source = incoming.source
        group.level = max(group.level, incoming.level.value, key=_rank)
        group.save(
            update_fields=["count", "last_seen", "last_event_ns", "message", "source", "level"]
        )
        return RecordedNotice(group, first=False)


def notice_deliveries_record(*, notice: Notice, outcomes: dict[str, str]) -> None:
    """Remember what each sink did with the notice's latest occurrence."""
    notice.deliveries = {**notice.deliveries, **outcomes}
    notice.save(update_fields=["deliveries"])


def _open_group(incoming: IncomingNotice, since: datetime) -> Notice | None:
    rows = Notice.objects.select_for_update().filter(
        kind=incoming.kind,
        portfolio_id=incoming.portfolio_id,
        node_id=incoming.node_id,
        last_seen__gte=since,
    )
    if incoming.kind == kinds.OTHER:
        # Notices of no known kind are only repeats when they say the same thing.
        rows = rows.filter(message=incoming.message)
    return rows.order_by("-last_seen", "-id").first()


def _rank(level: str) -> int:
    return LEVEL_RANK[level]
