"""Upstream: monitoring.notifications.dispatch, monitoring.notifications.rules, monitoring.notifications.service, monitoring.services
Downstream: monitoring.notifications.kinds, monitoring.notifications.wire, trading.bus.messages
Role: what the notification service takes in: a notice of a known kind, from a bus Notification (its kind named or recognised), a dead letter, or a rule."""

import re
from dataclasses import dataclass

from monitoring.notifications import kinds
from monitoring.notifications.wire import kind_of
from trading.bus.messages import DeadLetter, NoticeLevel, Notification

# Notices components published before they named kinds: (source prefix, text pattern, kind).
_RECOGNISED: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("node:", re.compile(r"queue at \d+/\d+ \(>= 90%\)"), kinds.QUEUE_CRITICAL),
    ("node:", re.compile(r"queue at \d+/\d+ \(>= 70%\)"), kinds.QUEUE_WARNING),
    ("node:", re.compile(r"risk halted: "), kinds.KILL_SWITCH),
    ("node:", re.compile(r"portfolio in error: "), kinds.STRATEGY_ERROR),
    ("node:", re.compile(r"reload buffer at \d+/\d+ "), kinds.RELOAD_BUFFER_HIGH),
    ("node:", re.compile(r"reload buffer full "), kinds.RELOAD_BUFFER_FULL),
    ("node:", re.compile(r"reload failed, v\d+ keeps running: "), kinds.RELOAD_FAILED),
    (
        "scheduler",
        re.compile(r"\d+ portfolio\(s\) wait for a node with room"),
        kinds.PORTFOLIOS_PENDING,
    ),
)
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
    """The notice a bus Notification carries; unnamed kinds are recognised by their text."""
    kind, text = kind_of(notification)
    return IncomingNotice(
        kind=kind or recognise(notification.source, text),
        level=notification.level,
        message=text,
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


def recognise(source: str, text: str) -> str:
    """The kind of a notice that did not name one (``other`` when nothing matches)."""
    for prefix, pattern, kind in _RECOGNISED:
        if source.startswith(prefix) and pattern.match(text):
            return kind
    return kinds.OTHER
