"""Upstream: monitoring.notifications.intake, monitoring.notifications.publish
Downstream: trading.bus.messages
Role: how a notice's kind travels in a bus Notification: its ``kind`` field, or "[kind] text" from older producers."""

import re

import msgspec

from trading.bus.messages import Notification

_TAGGED = re.compile(r"\[(?P<kind>[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*)\] (?P<text>.*)", re.DOTALL)


def with_kind(notification: Notification, kind: str) -> Notification:
    """``notification`` carrying ``kind``."""
    return msgspec.structs.replace(notification, kind=kind)


def kind_of(notification: Notification) -> tuple[str | None, str]:
    """(kind, text) of a notification; kind None when the producer named none."""
    if notification.kind:
        return notification.kind, notification.message
    match = _TAGGED.fullmatch(notification.message)
    if match is None:
        return None, notification.message
    return match["kind"], match["text"]
