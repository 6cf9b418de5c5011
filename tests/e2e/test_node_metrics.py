"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.cluster, ginkgo_site.devstack.waiting, tests.integration.node.conftest, tests.samples, trading.bus.messages, trading.bus.topics, trading.core.testing.random_walk, trading.models, trading.node.telemetry
Role: a real `run_node --metrics-port 0` and a replaying `run_livecore --metrics-port 0` serve /metrics over HTTP: each portfolio's series count what the database and the replay say, and a portfolio that stops leaves the node's page."""

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest

from ginkgo_site.devstack.cluster import process_env, spawn, status, stop
from ginkgo_site.devstack.waiting import wait_until
from tests.integration.node.conftest import make_portfolio
from tests.samples import labelled, scrape, value
from trading.bus.messages import CommandType, ControlCommand
from trading.bus.topics import CONTROL_COMMANDS
from trading.core.testing.random_walk import random_walk, write_bars_csv
from trading.models import Fill, Order
from trading.node.telemetry import Drop

pytestmark = pytest.mark.slow

SYMBOLS = ("AAA", "BBB", "CCC")
BARS = 80
# portfolio -> (symbols, strategy, params): Q1 and Q2 share AAA.
PORTFOLIOS = {
    "Q1": (["AAA", "BBB"], "random", {"seed": 1, "rate": 0.3, "size": 10}),
    "Q2": (["AAA"], "random", {"seed": 2, "rate": 0.3, "size": 10}),
    "Q3": (["CCC"], "buy_and_hold", {"size": 10}),
}
ENGINE = "e2e-metrics"
LISTENING = re.compile(r"metrics on http://[^:/]+:(\d+)/metrics")


def metrics_url(log: Path) -> str | None:
    """The /metrics address a process printed at start (None until it did)."""
    found = LISTENING.search(log.read_text()) if log.exists() else None
    return f"http://127.0.0.1:{found[1]}/metrics" if found else None


def portfolio_series(samples: dict, portfolio_id: str) -> dict[str, float | None]:
    def get(name: str, **labels: str) -> float | None:
        return value(samples, f"ginkgo_portfolio_{name}", portfolio_id=portfolio_id, **labels)

    return {
        "routed": get("updates_routed_total"),
        "processed": get("processing_seconds_count"),
        "orders": get("orders_total"),
        "fills": get("fills_total"),
        "signals": get("signals_total"),
        "dropped": sum(get("dropped_total", reason=reason) or 0.0 for reason in Drop),
        "queue": get("queue_depth"),
    }


def recorded(portfolio_id: str) -> dict[str, float]:
    """What the node should have counted, from the replay and the database."""
    symbols = PORTFOLIOS[portfolio_id][0]
    return {
        "routed": BARS * len(symbols),
        "processed": BARS * len(symbols),
        "orders": Order.objects.filter(portfolio_id=portfolio_id).count(),
        "fills": Fill.objects.filter(portfolio_id=portfolio_id).count(),
        "dropped": 0,
        "queue": 0,
    }


def test_a_node_serves_its_portfolios_metrics_and_they_agree_with_the_database(
    transactional_db, bus, publisher, redis_url, redis_prefix, redis_client, tmp_path
):
    for portfolio_id, (symbols, strategy, params) in PORTFOLIOS.items():
        make_portfolio(portfolio_id, symbols, strategy, **params)
    bars = {s: list(random_walk(BARS, seed=i, symbol=s, step=timedelta(minutes=1)))
            for i, s in enumerate(SYMBOLS)}  # fmt: skip
    files = [write_bars_csv(tmp_path / f"{s}.csv", bars[s], with_time=True) for s in SYMBOLS]
    last_bar = bars["AAA"][-1].time.isoformat()
    env = process_env(bus, redis_url, redis_prefix)
    node_log, livecore_log = tmp_path / "node.log", tmp_path / "livecore.log"
    node = spawn(["run_node", "--node-id", "metrics-node", "--portfolios", ",".join(PORTFOLIOS),
                  "--metrics-port", "0"], env, node_log)  # fmt: skip
    livecore = None
    try:
        node_url = wait_until(lambda: metrics_url(node_log), timeout=60, what="the node's port")
        wait_until(
            lambda: all(status(redis_client, p).get("status") == "running" for p in PORTFOLIOS),
            timeout=60,
            what="the portfolios running",
        )
        livecore = spawn(["run_livecore", "--engine-id", ENGINE, "--source", "replay", "--files",
                          *map(str, files), "--speed", "0.05", "--metrics-port", "0"],
                         env, livecore_log)  # fmt: skip
        livecore_url = wait_until(lambda: metrics_url(livecore_log), timeout=60, what="its port")
        wait_until(
            lambda: all(
                status(redis_client, p).get("last_event_time") == last_bar for p in PORTFOLIOS
            ),
            timeout=90,
            what="the replay through every portfolio",
        )

        def livecore_counts() -> tuple[float | None, ...]:
            samples = scrape(livecore_url)
            return (
                value(
                    samples, "ginkgo_livecore_orders_total", engine_id=ENGINE, outcome="accepted"
                ),
                value(samples, "ginkgo_livecore_fills_total", engine_id=ENGINE),
                value(samples, "ginkgo_livecore_fill_latency_seconds_count", engine_id=ENGINE),
            )

        def every_order_recorded() -> bool:
            # The node's last orders may still be on their way to LiveCore: it must record
            # them before it stops, or the node would have counted orders the database lacks.
            samples = scrape(node_url)
            return all(
                portfolio_series(samples, p)["orders"]
                == Order.objects.filter(portfolio_id=p).count()
                for p in PORTFOLIOS
            )

        wait_until(every_order_recorded, what="every order the node sent recorded by LiveCore")
        # LiveCore counts what it recorded once it committed: its series catch up with the
        # database, orders of the last bar still working.
        wait_until(
            lambda: livecore_counts() == (Order.objects.count(),) + (Fill.objects.count(),) * 2,
            what="LiveCore's series equal to the database",
        )
        assert stop(livecore) == 0
        for portfolio_id in PORTFOLIOS:
            wait_until(
                lambda p=portfolio_id: (
                    status(redis_client, p).get("fills")
                    == str(Fill.objects.filter(portfolio_id=p).count())
                ),
                what=f"{portfolio_id}'s fills booked",
            )

        differences: dict[str, tuple[dict[str, float | None], dict[str, float]]] = {}

        def agreed() -> dict[str, dict[str, float | None]] | None:
            samples = scrape(node_url)
            series = {p: portfolio_series(samples, p) for p in PORTFOLIOS}
            differences.clear()
            for portfolio_id, counted in series.items():
                served = {k: v for k, v in counted.items() if k != "signals"}
                if served != (expected := recorded(portfolio_id)):
                    differences[portfolio_id] = (served, expected)
            return None if differences else series

        # Updates routed reach Prometheus with the node's next report (every second).
        try:
            series = wait_until(agreed, what="the node's series equal to the replay and the DB")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; served vs expected: {differences}") from None
        for portfolio_id, counted in series.items():
            assert counted["orders"] and counted["fills"], portfolio_id
            assert counted["signals"] >= counted["orders"], portfolio_id

        publisher.publish(
            CONTROL_COMMANDS,
            ControlCommand(
                ts=time.time_ns(), command_type=CommandType.PORTFOLIO_STOP, target_id="Q3"
            ),
        )
        publisher.flush()
        wait_until(lambda: status(redis_client, "Q3").get("status") == "stopped", what="Q3 stop")
        samples = scrape(node_url)
        assert not labelled(samples, "portfolio_id", "Q3")
        assert portfolio_series(samples, "Q1") == series["Q1"]
    finally:
        codes = [stop(node)] + ([stop(livecore)] if livecore is not None else [])
    assert codes == [0] * len(codes)
