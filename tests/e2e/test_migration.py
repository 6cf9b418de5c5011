"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.cluster, scheduling.services.migration, tests.integration.node.conftest, trading.core.testing.random_walk, trading.models
Role: migration with real processes: two trading portfolios moved between plan-driven nodes under a replaying LiveCore: on the target within 5 s, no fill lost, no order executed twice, strategy state and market position carried over."""

import time
from datetime import timedelta

import pytest
from django.db.models import Count

from ginkgo_site.devstack.cluster import (
    FAST_NODES,
    Cluster,
    process_env,
    reported_state,
    run_portfolios,
    spawn,
    status,
    stop,
    stored_state,
)
from scheduling.services.migration import portfolio_migrate
from tests.integration.node.conftest import make_portfolio
from trading.core.testing.random_walk import random_walk, write_bars_csv
from trading.models import Fill, Order, PortfolioCheckpoint

pytestmark = pytest.mark.slow

BARS = 200
PERIOD = 60
# portfolio -> bars it has processed when it is moved (M2's target then sees < PERIOD bars).
MOVES = {"M1": 60, "M2": 150}


def processed(client, portfolio_id: str) -> int:
    return int(status(client, portfolio_id).get("processed", 0))


def test_migration_under_a_live_feed(
    transactional_db, bus, redis_url, redis_prefix, redis_client, tmp_path
):
    make_portfolio("M1", ["MMM"], rate=0.3, seed=1)
    make_portfolio("M2", ["MMM"], "sma_cross", period=PERIOD, size=10)
    run_portfolios(list(MOVES))
    bars = list(random_walk(BARS, seed=3, symbol="MMM", step=timedelta(minutes=1)))
    csv = write_bars_csv(tmp_path / "MMM.csv", bars, with_time=True)
    env = process_env(bus, redis_url, redis_prefix, **FAST_NODES)
    cluster = Cluster(env, redis_client, tmp_path)
    livecore = None
    sources: dict[str, str] = {}
    try:
        cluster.start("n1")
        cluster.start("n2")
        cluster.wait_alive()
        where = cluster.schedule(lambda: cluster.running_once(set(MOVES)), what="placed")
        livecore = spawn(["run_livecore", "--engine-id", "e2e", "--source", "replay", "--files",
                          str(csv), "--speed", "0.05"], env, tmp_path / "livecore.log")  # fmt: skip
        for portfolio_id, after in MOVES.items():
            cluster.schedule(lambda p=portfolio_id, n=after: processed(redis_client, p) >= n,
                             what=f"{portfolio_id} at bar {after}")  # fmt: skip
            moved_at = time.monotonic()
            move = portfolio_migrate(actor=None, portfolio_id=portfolio_id)
            sources[portfolio_id] = move.from_node
            assert move.from_node == where[portfolio_id] != move.to_node
            cluster.schedule(
                lambda m=move: (
                    (w := cluster.running_once(set(MOVES))) and w[m.portfolio_id] == m.to_node
                ),
                what=f"{portfolio_id} on {move.to_node}",
            )
            assert time.monotonic() - moved_at <= 5.0
            where = cluster.running_once(set(MOVES))
        cluster.schedule(
            lambda: status(redis_client, "M2").get("last_event_time") == bars[-1].time.isoformat(),
            what="the replay through M2",
        )
        assert stop(livecore) == 0
        livecore = None
        for portfolio_id in MOVES:
            cluster.schedule(
                lambda p=portfolio_id: reported_state(status(redis_client, p)) == stored_state(p),
                what=f"{portfolio_id}'s fills applied",
            )
    finally:
        if livecore is not None:
            stop(livecore)
        codes = cluster.stop_all()
    assert set(codes.values()) == {0}

    fills = Fill.objects.filter(portfolio_id__in=MOVES)
    assert fills.exists()
    per_order = fills.values("order_id").annotate(n=Count("fill_id"))
    assert {row["n"] for row in per_order} == {1}, "an order executed twice"
    assert Order.objects.filter(portfolio_id__in=MOVES, status="filled").count() == fills.count()
    # M2 saw fewer than PERIOD bars after its move: a full window means the state carried over,
    # and its processed counter continued the source's.
    last = PortfolioCheckpoint.objects.filter(portfolio_id="M2").first()
    assert len(last.state["strategy"]["state"]["averages"]["MMM"]["window"]) == PERIOD
    assert MOVES["M2"] < last.processed <= BARS
    for portfolio_id, source in sources.items():
        released = PortfolioCheckpoint.objects.filter(portfolio_id=portfolio_id, node_id=source)
        assert released.exclude(reason="periodic").exists(), f"{source} left no checkpoint"
