"""Upstream: (entry point: pytest)
Downstream: monitoring.notifications.kinds, tests.integration.node.conftest, trading.bus.mapping, trading.bus.messages, trading.bus.topics, trading.core.testing.builders
Role: a portfolio whose every order a risk rule blocks raises one risk.block notice on the real notifications topic, not one per bar."""

from datetime import timedelta

from monitoring.notifications import kinds
from tests.integration.node.conftest import make_portfolio, notices_about, wait_status
from trading.bus.mapping import price_message
from trading.bus.messages import NoticeLevel
from trading.bus.topics import MARKET_DATA, NOTIFICATIONS
from trading.core.testing.builders import T0, bar

BARS = 20


def test_orders_blocked_on_every_bar_raise_one_risk_block_notice(start_node, publisher, record):
    capped = make_portfolio("CAPPED", ["AAA"])
    capped.risks = [{"name": "position_ratio", "params": {"max_ratio": "0.0001"}}]
    capped.save()
    notices = record(NOTIFICATIONS)
    node = start_node(portfolios=frozenset({"CAPPED"}))

    for n in range(BARS):
        publisher.publish(MARKET_DATA, price_message(bar(100, time=T0 + timedelta(minutes=n))))
    publisher.flush()
    wait_status("CAPPED", processed=str(BARS))
    blocked = node.processors["CAPPED"].blocked
    node.stop()
    assert node.stopped.wait(60)

    (notice,) = notices_about(notices, publisher, "CAPPED")
    assert blocked == BARS
    assert (notice.kind, notice.level, notice.node_id) == (
        kinds.RISK_BLOCK,
        NoticeLevel.WARNING,
        "n1",
    )
    assert notice.message == (
        "buy 10 AAA blocked by PositionRatioRisk: "
        "AAA would exceed 0% of equity and no whole quantity fits"
    )
