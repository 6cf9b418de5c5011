"""Upstream: (entry point: pytest)
Downstream: monitoring.notifications.intake, monitoring.notifications.kinds, trading.bus.codec, trading.bus.messages
Role: what the notification service takes in: kinds named on the wire survive encoding, a notice naming none is other, dead letters become notices."""

from monitoring.notifications import kinds
from monitoring.notifications.intake import from_dead_letter, from_notification
from trading.bus.codec import decode, encode
from trading.bus.messages import DeadLetter, NoticeLevel, Notification

TS = 1_767_225_600_000_000_000


def notification(message: str, kind: str | None = None) -> Notification:
    return Notification(ts=TS, source="node:n1", level=NoticeLevel.WARNING, message=message,
                        portfolio_id="P1", kind=kind)  # fmt: skip


def test_a_named_kind_survives_the_bus_and_leaves_the_text_as_written():
    sent = notification("queue at 700/1000 [x] (>= 70%)", kinds.QUEUE_WARNING)

    received = from_notification(decode(encode(sent)))

    assert (received.kind, received.message) == ("queue.warning", "queue at 700/1000 [x] (>= 70%)")
    assert (received.level, received.portfolio_id, received.node_id, received.ts) == (
        NoticeLevel.WARNING,
        "P1",
        "",
        TS,
    )


def test_a_notice_that_names_no_kind_is_of_kind_other_whatever_its_text():
    received = from_notification(notification("queue at 700/1000 (>= 70%)"))

    assert (received.kind, received.message) == (kinds.OTHER, "queue at 700/1000 (>= 70%)")


def test_a_dead_letter_becomes_an_error_notice_naming_where_it_came_from():
    letter = DeadLetter(
        ts=TS,
        source="livecore:paper",
        reason="undecodable: not a message envelope",
        topic="ginkgo.live.orders.submission",
        partition=2,
        offset=41,
        original=b"garbage",
    )

    notice = from_dead_letter(letter)

    assert (notice.kind, notice.level, notice.source) == (
        kinds.DEAD_LETTER,
        NoticeLevel.ERROR,
        "livecore:paper",
    )
    assert notice.message == (
        "ginkgo.live.orders.submission[2]@41: undecodable: not a message envelope"
    )


def test_every_catalogued_kind_survives_the_bus():
    for kind in kinds.CATALOGUE:
        assert from_notification(decode(encode(notification("x", kind)))).kind == kind
