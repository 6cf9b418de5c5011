"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, tests.integration.node.conftest, trading.bus.mapping, trading.bus.messages, trading.bus.topics, trading.core.testing.builders, trading.models, trading.node.spans
Role: where live began, on real Kafka, PostgreSQL and Redis: the first update a portfolio handles under a version is checkpointed at once, the next node that runs it carries the span on, and a reload to a new version starts the next span."""

import json
import time
from datetime import timedelta

from ginkgo_site.devstack.waiting import wait_until
from tests.integration.node.conftest import make_portfolio, status, wait_status
from trading.bus.mapping import price_message
from trading.bus.messages import CommandType, ControlCommand
from trading.bus.topics import CONTROL_COMMANDS, MARKET_DATA
from trading.core.testing.builders import T0, bar
from trading.models import Portfolio, PortfolioCheckpoint
from trading.node.spans import SPANS_KEY


def day(n: int) -> str:
    return (T0 + timedelta(days=n)).isoformat()


def publish_day(publisher, n: int) -> None:
    publisher.publish(MARKET_DATA, price_message(bar(100 + n, time=T0 + timedelta(days=n))))
    publisher.flush()


def span(version: int, first: int, last: int) -> dict[str, object]:
    return {"version": version, "first_event_time": day(first), "last_event_time": day(last)}


def test_live_spans_are_saved_at_once_carried_to_the_next_node_and_split_by_a_reload(
    start_node, publisher
):
    make_portfolio("P1", ["AAA"], "sma_cross", period=50, size=1)  # never trades here
    first = start_node("n1", portfolios=frozenset({"P1"}), checkpoint_interval=300.0)

    publish_day(publisher, 1)
    wait_status("P1", first_event_time=day(1))
    # Saved now, not at the next periodic checkpoint (five minutes away).
    saved = wait_until(
        lambda: PortfolioCheckpoint.objects.filter(portfolio_id="P1").first(),
        what="the checkpoint of the new span",
    )
    assert saved.state[SPANS_KEY] == [span(1, 1, 1)]
    publish_day(publisher, 2)
    wait_status("P1", processed="2")
    first.stop()
    wait_status("P1", status="stopped")

    start_node("n2", portfolios=frozenset({"P1"}))
    wait_status("P1", status="running", node="n2")
    publish_day(publisher, 3)
    carried = wait_status("P1", processed="3")
    assert (carried["first_event_time"], carried["last_event_time"]) == (day(1), day(3))
    assert json.loads(carried["spans"]) == [span(1, 1, 3)]

    Portfolio.objects.filter(pk="P1").update(version=2)
    publisher.publish(
        CONTROL_COMMANDS,
        ControlCommand(
            ts=time.time_ns(), command_type=CommandType.PORTFOLIO_RELOAD, target_id="P1"
        ),
    )
    publisher.flush()
    wait_status("P1", status="running", version="2")
    publish_day(publisher, 4)
    reloaded = wait_status("P1", processed="4")
    assert (reloaded["first_event_time"], reloaded["last_event_time"]) == (day(4), day(4))
    assert json.loads(reloaded["spans"]) == [span(1, 1, 3), span(2, 4, 4)]
    assert status("P1")["waits_expired"] == "0"
