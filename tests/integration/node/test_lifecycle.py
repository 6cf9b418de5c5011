"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, tests.integration.node.conftest, trading.bus.messages, trading.bus.topics, trading.core.accounting.portfolio, trading.core.enums, trading.core.orders.events, trading.core.testing.builders, trading.models, trading.redis_store, trading.services.orders, trading.services.portfolio_state
Role: a node's portfolio life cycle: rebuilt from the database with a new run epoch, commands, the plan and its updates, interest announcements, a clean leave."""

import json
import time
from decimal import Decimal

from ginkgo_site.devstack.waiting import wait_until
from tests.integration.node.conftest import make_portfolio, status, wait_status
from trading.bus.messages import (
    CommandType,
    ControlCommand,
    InterestSyncRequest,
    InterestUpdate,
    NodeOffline,
    ScheduleUpdate,
)
from trading.bus.topics import CONTROL_COMMANDS, SCHEDULE_UPDATES, SYSTEM_EVENTS
from trading.core.accounting.portfolio import Portfolio as Ledger
from trading.core.enums import Side
from trading.core.orders.events import OrderAccepted
from trading.core.testing.builders import T0, fill, order
from trading.models import Portfolio
from trading.redis_store import (
    heartbeat_key,
    node_processors_key,
    nodes_active_key,
    plan_key,
    redis_client,
)
from trading.services import orders as order_services
from trading.services.portfolio_state import portfolio_fill_list


def command(publisher, kind: CommandType, target: str) -> None:
    publisher.publish(
        CONTROL_COMMANDS, ControlCommand(ts=time.time_ns(), command_type=kind, target_id=target)
    )
    publisher.flush()


def record_history() -> None:
    """P1's two filled orders and one still working, as the LiveEngine records them."""
    for n, (side, quantity, price) in enumerate([(Side.BUY, 30, 100), (Side.SELL, 10, 120)], 1):
        coid = f"P1-4-{n}"
        order_services.order_record_submitted(order=order(side, quantity, client_order_id=coid))
        order_services.fill_record(
            fill=fill(side, quantity, price, fill_id=f"{coid}:1", client_order_id=coid)
        )
    order_services.order_record_submitted(order=order(Side.SELL, 20, client_order_id="P1-4-3"))
    order_services.order_apply_report(report=OrderAccepted("P1-4-3", T0))


def running(node_id: str = "n1") -> set[str]:
    return redis_client().smembers(node_processors_key(node_id))  # type: ignore[return-value]


def test_a_portfolio_starts_from_its_stored_fills_under_a_new_run_epoch(start_node):
    stored = make_portfolio("P1", ["AAA"])
    Portfolio.objects.filter(pk="P1").update(run_epoch=4)
    record_history()

    node = start_node(portfolios=frozenset({"P1"}))

    p1 = wait_status("P1", status="running")
    expected = Ledger.rebuild(stored.initial_capital, portfolio_fill_list(portfolio_id="P1"))
    assert Decimal(p1["cash"]) == expected.cash == Decimal(100_000 - 3000 + 1200)
    assert json.loads(p1["positions"]) == {"AAA": "20"}
    assert (p1["fills"], p1["run_epoch"], p1["node"]) == ("2", "5", "n1")
    assert Portfolio.objects.get(pk="P1").run_epoch == 5
    assert [o.client_order_id for o in node.processors["P1"]._pipeline.open_orders] == ["P1-4-3"]


def test_commands_stop_start_and_reload_hosted_portfolios_and_others_are_ignored(
    start_node, publisher
):
    make_portfolio("P1", ["AAA"])
    make_portfolio("P2", ["BBB"])
    make_portfolio("P9", ["CCC"])
    node = start_node(portfolios=frozenset({"P1", "P2"}))

    command(publisher, CommandType.PORTFOLIO_STOP, "P1")
    command(publisher, CommandType.PORTFOLIO_START, "P9")
    wait_status("P1", status="stopped")
    wait_until(lambda: running() == {"P2"}, what="P1 out of the processors set")
    Portfolio.objects.filter(pk="P2").update(version=2, symbols=["BBB", "DDD"])
    command(publisher, CommandType.PORTFOLIO_RELOAD, "P2")
    command(publisher, CommandType.PORTFOLIO_START, "P1")

    p2 = wait_status("P2", status="running", version="2")
    wait_status("P1", status="running")
    assert p2["run_epoch"] == "2"
    assert set(node.processors) == {"P1", "P2"}
    assert node.interest.symbols == {"AAA", "BBB", "DDD"}
    assert status("P9") == {}


def test_the_node_runs_its_plan_applies_schedule_updates_at_once_and_rereads_the_plan(
    start_node, publisher
):
    for portfolio_id in ("P1", "P2", "P3"):
        make_portfolio(portfolio_id, ["AAA"])
    redis_client().sadd(plan_key("n1"), "P1")
    node = start_node(plan_interval=60.0)
    assert set(node.processors) == {"P1"}

    publisher.publish(
        SCHEDULE_UPDATES, ScheduleUpdate(ts=time.time_ns(), node_id="n1", portfolio_ids=["P2"])
    )
    publisher.publish(
        SCHEDULE_UPDATES, ScheduleUpdate(ts=time.time_ns(), node_id="n2", portfolio_ids=["P3"])
    )
    publisher.flush()
    wait_until(lambda: running() == {"P2"}, what="the update applied")
    wait_status("P1", status="stopped")
    redis_client().sadd(plan_key("n1"), "P3")
    node.request_plan_sync()

    wait_until(lambda: running() == {"P1", "P3"}, what="the plan re-read")


def test_interest_is_announced_on_start_change_and_request_and_a_clean_stop_leaves_at_once(
    start_node, publisher, record
):
    make_portfolio("P1", ["AAA", "BBB"])
    events = record(SYSTEM_EVENTS)
    node = start_node(portfolios=frozenset({"P1"}))
    client = redis_client()
    wait_until(lambda: client.get(heartbeat_key("n1")), what="a heartbeat")
    assert client.sismember(nodes_active_key(), "n1")

    publisher.publish(SYSTEM_EVENTS, InterestSyncRequest(ts=time.time_ns()))
    publisher.flush()
    announced = events.wait_for(InterestUpdate, count=3)
    node.stop()

    assert [a.symbols for a in announced] == [[], ["AAA", "BBB"], ["AAA", "BBB"]]
    assert events.wait_for(NodeOffline)[0].node_id == "n1"
    assert node.stopped.wait(30)
    assert client.get(heartbeat_key("n1")) is None
    assert not client.sismember(nodes_active_key(), "n1")
    assert running() == set()
    assert status("P1")["status"] == "stopped"
