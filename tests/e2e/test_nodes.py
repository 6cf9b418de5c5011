"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.cluster, ginkgo_site.devstack.waiting, tests.integration.node.conftest, trading.core.testing.random_walk, trading.models, trading.redis_store, trading.services.portfolio_state
Role: two `manage.py run_node` processes with six portfolios and a replaying `run_livecore` over the real broker, PostgreSQL and Redis: orders flow, fills come back, and every portfolio's state in the database is what its node reports."""

from datetime import timedelta

import pytest

from ginkgo_site.devstack.cluster import (
    process_env,
    reported_state,
    spawn,
    status,
    stop,
    stored_state,
)
from ginkgo_site.devstack.waiting import wait_until
from tests.integration.node.conftest import make_portfolio
from trading.core.testing.random_walk import random_walk, write_bars_csv
from trading.models import Order
from trading.redis_store import nodes_active_key
from trading.services.portfolio_state import portfolio_fill_list

pytestmark = pytest.mark.slow

SYMBOLS = ("AAA", "BBB", "CCC", "DDD")
NODES = ("node-1", "node-2")
BARS = 120
# portfolio -> (node, symbols, strategy, params): overlapping symbols, P1 and P2 both on AAA.
PORTFOLIOS = {
    "P1": ("node-1", ["AAA", "BBB"], "random", {"seed": 1, "rate": 0.3, "size": 10}),
    "P2": ("node-1", ["AAA"], "random", {"seed": 2, "rate": 0.3, "size": 10}),
    "P3": ("node-1", ["BBB", "CCC"], "sma_cross", {"period": 5, "size": 10}),
    "P4": ("node-2", ["CCC", "DDD"], "random", {"seed": 4, "rate": 0.3, "size": 10}),
    "P5": ("node-2", ["DDD"], "rsi_reversion", {"period": 5, "size": 10}),
    "P6": ("node-2", ["AAA", "DDD"], "buy_and_hold", {"size": 10}),
}


def node_argv(node: str) -> list[str]:
    hosted = ",".join(p for p, spec in PORTFOLIOS.items() if spec[0] == node)
    return ["run_node", "--node-id", node, "--portfolios", hosted]


def test_two_nodes_trade_six_portfolios_and_the_database_agrees_with_what_they_report(
    transactional_db, bus, redis_url, redis_prefix, redis_client, tmp_path
):
    for portfolio_id, (_, symbols, strategy, params) in PORTFOLIOS.items():
        make_portfolio(portfolio_id, symbols, strategy, **params)
    bars = {s: list(random_walk(BARS, seed=i, symbol=s, step=timedelta(minutes=1)))
            for i, s in enumerate(SYMBOLS)}  # fmt: skip
    files = [write_bars_csv(tmp_path / f"{s}.csv", bars[s], with_time=True) for s in SYMBOLS]
    last_bar = bars["AAA"][-1].time
    env = process_env(bus, redis_url, redis_prefix)
    nodes = {node: spawn(node_argv(node), env, tmp_path / f"{node}.log") for node in NODES}
    livecore = None
    try:
        wait_until(
            lambda: all(status(redis_client, p).get("status") == "running" for p in PORTFOLIOS),
            timeout=60,
            what="six portfolios running",
        )
        livecore = spawn(["run_livecore", "--engine-id", "e2e", "--source", "replay", "--files",
                          *map(str, files), "--speed", "0.05"], env, tmp_path / "livecore.log")  # fmt: skip
        wait_until(
            lambda: all(
                status(redis_client, p).get("last_event_time") == last_bar.isoformat()
                for p in PORTFOLIOS
            ),
            timeout=60,
            what="the replay through every portfolio",
        )
        assert stop(livecore) == 0
        # LiveCore records a fill before it publishes it: once it stopped, every recorded
        # fill is on its way to the node that runs the portfolio.
        for portfolio_id in PORTFOLIOS:
            wait_until(
                lambda p=portfolio_id: (
                    status(redis_client, p).get("fills")
                    == str(len(portfolio_fill_list(portfolio_id=p)))
                ),
                what=f"{portfolio_id}'s fills applied",
            )
        reports = {p: status(redis_client, p) for p in PORTFOLIOS}
    finally:
        codes = {node: stop(process) for node, process in nodes.items()}
        if livecore is not None:
            stop(livecore)

    assert codes == {"node-1": 0, "node-2": 0}
    for portfolio_id, (node, symbols, strategy, _) in PORTFOLIOS.items():
        report = reports[portfolio_id]
        assert report["node"] == node
        assert report["symbols_seen"].split(",") == symbols, portfolio_id
        assert reported_state(report) == stored_state(portfolio_id), portfolio_id
        if strategy in ("random", "buy_and_hold"):
            assert int(report["fills"]) > 0, portfolio_id
    p1_aaa, p2_aaa = (
        list(Order.objects.filter(portfolio_id=p, symbol="AAA").values_list("created_at", "side"))
        for p in ("P1", "P2")
    )
    assert p1_aaa and p2_aaa and p1_aaa != p2_aaa
    assert not {n.encode() for n in NODES} & redis_client.smembers(nodes_active_key())
    assert {status(redis_client, p)["status"] for p in PORTFOLIOS} == {"stopped"}
