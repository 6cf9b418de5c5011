"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, monitoring.notifications.kinds, tests.integration.node.conftest, trading.bus.mapping, trading.bus.messages, trading.bus.topics, trading.core.testing.builders, trading.node.backpressure
Role: a slow portfolio under a fast feed: warning at 70%, drops and a critical notice at 90%, on the real notifications topic, and only for that portfolio."""

import time
from datetime import timedelta

from ginkgo_site.devstack.waiting import wait_until
from monitoring.notifications import kinds
from tests.integration.node.conftest import make_portfolio, wait_status
from trading.bus.mapping import price_message
from trading.bus.messages import NoticeLevel, Notification
from trading.bus.topics import MARKET_DATA, NOTIFICATIONS
from trading.core.testing.builders import T0, bar
from trading.node.backpressure import Policy

BARS = 300


def publish_fast(publisher, symbols: tuple[str, ...]) -> None:
    """``BARS`` bars per symbol at about 250 a second: five times what SLOW takes."""
    for n in range(BARS):
        for symbol in symbols:
            update = bar(100 + n % 7, symbol=symbol, time=T0 + timedelta(minutes=n))
            publisher.publish(MARKET_DATA, price_message(update))
        if n % 10 == 9:
            publisher.flush()
            # Pacing, not synchronisation: a steady feed rather than one burst, which would
            # fill any queue before a thread is even scheduled.
            time.sleep(0.04)
    publisher.flush()


def accounted(processor) -> int:
    inbox = processor.inbox
    return processor.processed + inbox.dropped + inbox.conflated


def test_a_slow_portfolio_sheds_load_with_notices_while_the_others_get_every_update(
    start_node, publisher, record
):
    make_portfolio("SLOW", ["AAA"], strategy="slow", delay=0.02)
    make_portfolio("FAST1", ["AAA"])
    make_portfolio("FAST2", ["BBB"])
    notices = record(NOTIFICATIONS)
    node = start_node(portfolios=frozenset({"SLOW", "FAST1", "FAST2"}), queue_maxsize=200)

    publish_fast(publisher, ("AAA", "BBB"))

    wait_status("FAST1", processed=str(BARS), dropped="0")
    wait_status("FAST2", processed=str(BARS), dropped="0")
    slow = node.processors["SLOW"]
    wait_until(lambda: accounted(slow) == BARS, timeout=60, what="SLOW done")
    levels = wait_until(
        lambda: {(n.portfolio_id, n.level, n.kind) for n in notices.of(Notification)} or None,
        what="pressure notices",
    )
    assert levels == {
        ("SLOW", NoticeLevel.WARNING, kinds.QUEUE_WARNING),
        ("SLOW", NoticeLevel.CRITICAL, kinds.QUEUE_CRITICAL),
    }
    assert slow.inbox.dropped > 0
    assert (slow.inbox.warnings >= 1, slow.inbox.criticals >= 1) == (True, True)
    status = wait_status("SLOW", dropped=str(slow.inbox.dropped))
    assert int(status["pressure_criticals"]) >= 1


def test_the_conflating_policy_keeps_the_newest_update_of_a_lagging_portfolio(
    start_node, publisher
):
    make_portfolio("SLOW", ["AAA"], strategy="slow", delay=0.02)
    node = start_node(portfolios=frozenset({"SLOW"}), queue_maxsize=50, policy=Policy.CONFLATE)

    publish_fast(publisher, ("AAA",))

    slow = node.processors["SLOW"]
    wait_until(lambda: accounted(slow) == BARS, timeout=60, what="SLOW done")
    assert slow.last_event_time == T0 + timedelta(minutes=BARS - 1)
    assert (slow.inbox.conflated > 0, slow.inbox.dropped) == (True, 0)
