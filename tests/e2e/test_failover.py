"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.cluster, scheduling.models, tests.integration.api.factories, tests.integration.node.conftest, trading.bus.messages, trading.bus.topics, trading.core.testing.random_walk
Role: failover with real processes: three plan-driven nodes and a replaying LiveCore; Redis flushed, a node killed (-9: shown dead and empty in time), a node stopped (SIGINT: shown left), no room then room: every portfolio runs exactly once, in time, positions intact."""

import signal
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

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
from scheduling.models import ExecutionNode, SchedulingRun
from tests.integration.api.factories import client_for
from tests.integration.node.conftest import make_portfolio
from trading.bus.messages import Notification
from trading.bus.topics import NOTIFICATIONS
from trading.core.testing.random_walk import random_walk, write_bars_csv

pytestmark = pytest.mark.slow

SYMBOLS = ("AAA", "BBB", "CCC")
PORTFOLIOS = {f"F{i}": [SYMBOLS[i % 3]] for i in range(1, 7)}
CAPACITY = 3
TTL = 3.0
HEARTBEAT_CHECK = 1.0
SCHEDULE_INTERVAL = 2.0


def shown(node_id: str) -> list[tuple[str, int] | None]:
    """(status, portfolios held) of the node in /api/schedule/plan, /dashboard/data and
    /api/metrics/summary (None where it is not listed)."""
    client = client_for("viewer")
    plan = client.get("/api/schedule/plan").json()["nodes"]
    dashboard = client.get("/dashboard/data").json()["nodes"]
    summary = client.get("/api/metrics/summary").json()["nodes"]["items"]

    def row(rows: list[dict[str, Any]], held: Callable[[dict[str, Any]], int]) -> Any:
        return next(((r["status"], held(r)) for r in rows if r["node_id"] == node_id), None)

    return [
        row(plan, lambda r: len(r["portfolio_ids"])),
        row(dashboard, lambda r: r["portfolios"]),
        row(summary, lambda r: r["portfolios"]),
    ]


def test_failover_flush_sigint_and_no_room(
    transactional_db, settings, bus, record, redis_url, redis_prefix, redis_client, tmp_path
):
    settings.GINKGO_NODE_CAPACITY = CAPACITY
    for portfolio_id, symbols in PORTFOLIOS.items():
        make_portfolio(portfolio_id, symbols, seed=int(portfolio_id[1:]), rate=0.2)
    run_portfolios(list(PORTFOLIOS))
    wanted = set(PORTFOLIOS)
    notices = record(NOTIFICATIONS)
    env = process_env(bus, redis_url, redis_prefix, **FAST_NODES,
                      GINKGO_NODE_CAPACITY=str(CAPACITY))  # fmt: skip
    cluster = Cluster(env, redis_client, tmp_path)
    bars = [list(random_walk(400, seed=i, symbol=s, step=timedelta(minutes=1)))
            for i, s in enumerate(SYMBOLS)]  # fmt: skip
    files = [write_bars_csv(tmp_path / f"{b[0].symbol}.csv", b, with_time=True) for b in bars]
    livecore = None
    try:
        for node_id in ("n1", "n2", "n3"):
            cluster.start(node_id)
        cluster.wait_alive()
        placed = cluster.schedule(lambda: cluster.running_once(wanted), what="six placed")
        assert sorted(placed.values()) == ["n1", "n1", "n2", "n2", "n3", "n3"]
        livecore = spawn(["run_livecore", "--engine-id", "e2e", "--source", "replay", "--files",
                          *map(str, files), "--speed", "0.1"], env, tmp_path / "livecore.log")  # fmt: skip
        cluster.schedule(
            lambda: all(int(status(redis_client, p).get("fills", 0)) for p in wanted),
            what="every portfolio trading",
        )

        # Redis loses everything: within one schedule interval all runs exactly once again.
        redis_client.delete(*redis_client.scan_iter(match=f"{redis_prefix}*"))
        cluster.schedule(lambda: cluster.running_once(wanted), timeout=10, what="rebuilt plan")

        # Kill -9: the portfolios move once the heartbeat expired and the check saw it.
        moved = {p for p, n in placed.items() if n == "n3"}
        killed_at = time.monotonic()
        cluster.stop("n3", signal.SIGKILL)
        where = cluster.schedule(
            lambda: (w := cluster.running_once(wanted)) and moved.isdisjoint(
                p for p, n in w.items() if n == "n3") and w,
            what="n3's portfolios moved",
        )  # fmt: skip
        assert time.monotonic() - killed_at <= TTL + HEARTBEAT_CHECK + 5
        assert {where[p] for p in moved} <= {"n1", "n2"}
        # The plan, the dashboard and the summary show it dead, holding nothing, in time.
        cluster.schedule(lambda: shown("n3") == [("dead", 0)] * 3, what="n3 shown dead, empty")
        assert time.monotonic() - killed_at <= TTL + SCHEDULE_INTERVAL + 5

        # A clean stop (SIGINT) leaves at once: its portfolios run elsewhere within 3 s.
        cluster.start("n4")
        cluster.schedule(lambda: ExecutionNode.objects.filter(pk="n4").exists(), what="n4 seen")
        moved = {p for p, n in where.items() if n == "n1"}
        assert cluster.stop("n1", signal.SIGINT) == 0
        stopped_at = time.monotonic()
        where = cluster.schedule(
            lambda: (w := cluster.running_once(wanted)) and all(w[p] == "n4" for p in moved) and w,
            what="n1's portfolios on n4",
        )
        assert time.monotonic() - stopped_at <= 3.0
        cluster.schedule(
            lambda: shown("n1") == [("left", 0)] * 3, timeout=10, what="n1 shown left, empty"
        )

        # No room: n2's portfolios wait, with a notice, until a node with room comes.
        moved = {p for p, n in where.items() if n == "n2"}
        cluster.stop("n2", signal.SIGKILL)
        cluster.schedule(
            lambda: (
                {p["portfolio_id"] for p in SchedulingRun.objects.latest("pk").pending} == moved
            ),
            what="pending",
        )
        assert any("wait for a node with room" in n.message for n in notices.of(Notification))
        cluster.start("n5")
        where = cluster.schedule(lambda: cluster.running_once(wanted), what="n5 takes them")
        assert {where[p] for p in moved} == {"n5"}

        assert stop(livecore) == 0
        livecore = None
        for portfolio_id in wanted:
            cluster.schedule(
                lambda p=portfolio_id: reported_state(status(redis_client, p)) == stored_state(p),
                what=f"{portfolio_id}'s positions intact",
            )
    finally:
        if livecore is not None:
            stop(livecore)
        codes = cluster.stop_all()
    assert set(codes.values()) == {0}
