"""Upstream: monitoring.notifications.dispatch, monitoring.notifications.rules, monitoring.notifications.service, monitoring.services
Downstream: monitoring.notifications.kinds, trading.bus.messages
Role: what the notification service takes in: a notice with its kind, from a bus Notification (the kind its publisher named, else other), a dead letter, or a rule."""

from dataclasses import dataclass

from monitoring.notifications import kinds
from trading.bus.messages import DeadLetter, NoticeLevel, Notification

LEVEL_RANK = {level: rank for rank, level in enumerate(NoticeLevel)}


@dataclass(frozen=True, slots=True)
class IncomingNotice:
    """One occurrence of a notice; ``ts`` is its event time in epoch nanoseconds."""

    kind: str
    level: NoticeLevel
    message: str
    source: str
    ts: int
    portfolio_id: str = ""
    node_id: str = ""


def from_notification(notification: Notification) -> IncomingNotice:
    """The notice a bus Notification carries; one that names no kind is ``other``."""
    return IncomingNotice(
        kind=notification.kind or kinds.OTHER,
        level=notification.level,
        message=notification.message,
        source=notification.source,
        ts=notification.ts,
        portfolio_id=notification.portfolio_id or "",
        node_id=notification.node_id or "",
    )


def from_dead_letter(letter: DeadLetter) -> IncomingNotice:
    """The notice of a message some consumer parked on the dead-letter topic."""
    return IncomingNotice(
        kind=kinds.DEAD_LETTER,
        level=kinds.default_level(kinds.DEAD_LETTER),
        message=f"{letter.topic}[{letter.partition}]@{letter.offset}: {letter.reason}",
        source=letter.source,
        ts=letter.ts,
    )
