"""Upstream: (entry point: pytest)
Downstream: monitoring.notifications.intake, monitoring.notifications.kinds, monitoring.notifications.wire, trading.bus.codec, trading.bus.messages
Role: what the notification service takes in: kinds named on the wire survive encoding, older notices are recognised by their text, dead letters become notices."""

import pytest

from monitoring.notifications import kinds
from monitoring.notifications.intake import from_dead_letter, from_notification, recognise
from monitoring.notifications.wire import kind_of, with_kind
from trading.bus.codec import decode, encode
from trading.bus.messages import DeadLetter, NoticeLevel, Notification

TS = 1_767_225_600_000_000_000


def notification(message: str, source: str = "node:n1") -> Notification:
    return Notification(
        ts=TS, source=source, level=NoticeLevel.WARNING, message=message, portfolio_id="P1"
    )


def test_a_named_kind_survives_the_bus_and_leaves_the_text_as_written():
    sent = with_kind(notification("queue at 700/1000 [x] (>= 70%)"), kinds.QUEUE_WARNING)

    received = from_notification(decode(encode(sent)))

    assert (received.kind, received.message) == ("queue.warning", "queue at 700/1000 [x] (>= 70%)")
    assert (received.level, received.portfolio_id, received.node_id, received.ts) == (
        NoticeLevel.WARNING,
        "P1",
        "",
        TS,
    )


def test_the_kind_travels_in_its_own_field_and_older_bracketed_kinds_are_still_read():
    assert with_kind(notification("q"), kinds.QUEUE_WARNING).kind == "queue.warning"
    assert kind_of(notification("[queue.warning] q")) == ("queue.warning", "q")


def test_text_without_a_kind_tag_has_no_kind():
    assert kind_of(notification("[not a tag]x")) == (None, "[not a tag]x")


@pytest.mark.parametrize(
    ("source", "text", "kind"),
    [
        (
            "node:n1",
            "queue at 950/1000 (>= 90%): dropping new updates, 3 dropped so far",
            kinds.QUEUE_CRITICAL,
        ),
        ("node:n1", "queue at 700/1000 (>= 70%)", kinds.QUEUE_WARNING),
        ("node:n1", "risk halted: daily loss 5.2% > 5%", kinds.KILL_SWITCH),
        ("node:n1", "portfolio in error: strategy sma raised boom", kinds.STRATEGY_ERROR),
        ("node:n1", "reload buffer at 500/1000 updates", kinds.RELOAD_BUFFER_HIGH),
        ("node:n1", "reload buffer full (1000): dropping updates", kinds.RELOAD_BUFFER_FULL),
        ("node:n1", "reload failed, v3 keeps running: ValueError: bad", kinds.RELOAD_FAILED),
        ("scheduler", "2 portfolio(s) wait for a node with room: P1, P2", kinds.PORTFOLIOS_PENDING),
        ("scheduler", "queue at 950/1000 (>= 90%)", kinds.OTHER),
        ("node:n1", "cannot load portfolio P9: no such strategy", kinds.OTHER),
    ],
)
def test_notices_that_name_no_kind_are_recognised_by_source_and_text(source, text, kind):
    assert recognise(source, text) == kind


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


def test_every_catalogued_kind_can_be_named_on_the_wire():
    for kind in kinds.CATALOGUE:
        assert kind_of(with_kind(notification("x"), kind)) == (kind, "x")
