"""Upstream: (entry point: python -m bench.failover)
Downstream: bench.cluster_stack, ginkgo_site.devstack.cluster, scheduling.models
Role: benchmark: failover time, from kill -9 of a node hosting portfolios until every one of them runs exactly once on another node (median of runs).

Three plan-driven nodes (``manage.py run_node``, heartbeat every 1 s, TTL 3 s) host six
portfolios (capacity 3 each) fed by a synthetic LiveCore. The scheduler runs in this process
as celery beat would drive it: the heartbeat check every ``--check`` seconds (it runs the
schedule at once when a node died) and the schedule loop every 2 s. Each run kills the node
hosting the most portfolios and times two moments: the scheduler marking it dead, and its
portfolios running (status ``running`` on the new node, nowhere else). A fresh node then
joins, restoring room for the next run. Own Tansu, Redis and scratch database (bench.cluster_stack).

    python -m bench.failover [--runs 5] [--check 1]

Goal (issue #6): failover within TTL + 5 s.
"""

import argparse
import signal
import sys
import time
from typing import TYPE_CHECKING

from bench.cluster_stack import bench_stack, portfolios_create, report, runs_argument

if TYPE_CHECKING:
    from ginkgo_site.devstack.cluster import Cluster

TTL = 3.0
CAPACITY = 3
SYMBOLS = ("AAA", "BBB", "CCC")
PORTFOLIOS = {f"F{i}": [SYMBOLS[i % len(SYMBOLS)]] for i in range(1, 7)}


def kill(
    cluster: "Cluster", victim: str, moved: set[str], wanted: set[str], check: float
) -> tuple[float, float, dict[str, str]]:
    """Kill -9 ``victim``; seconds until it is marked dead and until ``moved`` run
    elsewhere, and where every portfolio runs then."""
    from scheduling.models import ExecutionNode

    killed_at = time.monotonic()
    cluster.stop(victim, signal.SIGKILL)
    dead_at: float | None = None

    def moved_elsewhere() -> dict[str, str] | None:
        nonlocal dead_at
        if dead_at is None and ExecutionNode.objects.filter(pk=victim, status="dead").exists():
            dead_at = time.monotonic()
        placed = cluster.running_once(wanted)
        return placed if placed and all(placed[p] != victim for p in moved) else None

    where = cluster.schedule(
        moved_elsewhere, what=f"{victim}'s portfolios elsewhere", check_every=check
    )
    done = time.monotonic()
    return (dead_at or done) - killed_at, done - killed_at, where


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[2])
    runs_argument(parser, default=5)
    parser.add_argument("--check", type=float, default=1.0, help="heartbeat check every (s)")
    args = parser.parse_args(argv)
    with bench_stack(GINKGO_NODE_CAPACITY=str(CAPACITY)) as bench:
        from ginkgo_site.devstack.cluster import Cluster, spawn, stop
        from scheduling.models import ExecutionNode

        portfolios_create(PORTFOLIOS, {"name": "random", "params": {"rate": 0.05, "size": 1}})
        wanted = set(PORTFOLIOS)
        cluster = Cluster(bench.env, bench.client, bench.workdir)
        bench.stack.callback(cluster.stop_all)
        livecore = spawn(
            ["run_livecore", "--engine-id", "bench", "--symbols", ",".join(SYMBOLS),
             "--rate", "60"], bench.env, bench.workdir / "livecore.log",
        )  # fmt: skip
        bench.stack.callback(stop, livecore)
        joined = 3
        for number in range(1, joined + 1):
            cluster.start(f"n{number}")
        cluster.wait_alive()
        where = cluster.schedule(lambda: cluster.running_once(wanted), what="six placed")
        print(f"{len(wanted)} portfolios on {len(cluster.nodes)} nodes; "
              f"heartbeat TTL {TTL:g} s, check every {args.check:g} s", flush=True)  # fmt: skip

        detected: list[float] = []
        running: list[float] = []
        for number in range(1, args.runs + 1):
            victim = max(cluster.nodes, key=lambda n: sum(v == n for v in where.values()))
            moved = {p for p, n in where.items() if n == victim}
            dead, done, where = kill(cluster, victim, moved, wanted, args.check)
            detected.append(dead)
            running.append(done)
            print(f"run {number}: killed {victim} ({len(moved)} portfolios): marked dead after "
                  f"{dead:.2f} s, running elsewhere after {done:.2f} s", flush=True)  # fmt: skip
            joined += 1
            cluster.start(f"n{joined}")
            cluster.wait_alive()
            cluster.schedule(lambda n=f"n{joined}": ExecutionNode.objects.filter(pk=n).exists(),
                             what="the new node seen")  # fmt: skip
        print(report("node marked dead", detected, TTL + args.check))
        print(report("failover (portfolios running elsewhere)", running, TTL + 5))
    return 0


if __name__ == "__main__":
    sys.exit(main())
