"""Upstream: (entry point: python -m bench.migration)
Downstream: bench.cluster_stack, ginkgo_site.devstack.cluster, scheduling.services.migration, trading.core.testing.random_walk, trading.models, (computed)
Role: benchmark: state-preserving migration time, from the migrate request until the portfolio runs on the target node (median of runs), with the fills checked afterwards.

Two plan-driven nodes (``manage.py run_node``) host four trading portfolios fed by a
LiveCore replaying generated one-minute bars (``--speed`` seconds per bar; paper fills). Each run asks the scheduler's service (what
``POST /api/schedule/migrate`` and ``manage.py portfolio_migrate`` call) to move ``M1`` to
the other node, and times until its status says ``running`` on the target and it runs on
no other node: the source drains, checkpoints and stops; the target loads the checkpoint.
Between runs the portfolio trades for ``--gap`` seconds. At the end the database must show
every order executed at most once. Own Tansu, Redis and scratch database (bench.cluster_stack).

    python -m bench.migration [--runs 7] [--gap 2]

Goal (issue #6): migration under 2 s.
"""

import argparse
import sys
import time

from bench.cluster_stack import bench_stack, portfolios_create, report, runs_argument

GOAL = 2.0
SYMBOLS = ("AAA", "BBB")
# Seconds the replay must last beyond the runs: start-up, placement, the first fills.
SETTLE = 60.0
PORTFOLIOS = {f"M{i}": [SYMBOLS[i % len(SYMBOLS)]] for i in range(1, 5)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[2])
    runs_argument(parser, default=7)
    parser.add_argument("--gap", type=float, default=2.0, help="seconds of trading between runs")
    parser.add_argument("--speed", type=float, default=0.05, help="replay: seconds per bar")
    args = parser.parse_args(argv)
    with bench_stack() as bench:
        from datetime import timedelta

        from django.db.models import Count

        from ginkgo_site.devstack.cluster import Cluster, spawn, status, stop
        from scheduling.services.migration import portfolio_migrate
        from trading.core.testing.random_walk import random_walk, write_bars_csv
        from trading.models import Fill

        portfolios_create(PORTFOLIOS, {"name": "random", "params": {"rate": 0.1, "size": 1}})
        bars = int((args.runs * (args.gap + 2 * GOAL) + SETTLE) / args.speed)
        files: list[str] = []
        for seed, symbol in enumerate(SYMBOLS):
            walk = random_walk(bars, seed=seed, symbol=symbol, step=timedelta(minutes=1))
            files.append(str(write_bars_csv(bench.workdir / f"{symbol}.csv", walk, with_time=True)))
        wanted = set(PORTFOLIOS)
        cluster = Cluster(bench.env, bench.client, bench.workdir)
        bench.stack.callback(cluster.stop_all)
        livecore = spawn(
            ["run_livecore", "--engine-id", "bench", "--source", "replay", "--files", *files,
             "--speed", str(args.speed)], bench.env, bench.workdir / "livecore.log",
        )  # fmt: skip
        bench.stack.callback(stop, livecore)
        cluster.start("n1")
        cluster.start("n2")
        cluster.wait_alive()
        cluster.schedule(lambda: cluster.running_once(wanted), what="placed")
        cluster.schedule(lambda: int(status(bench.client, "M1").get("fills", 0)), what="M1 fills")
        print(f"{len(wanted)} trading portfolios on 2 nodes; moving M1 {args.runs} times",
              flush=True)  # fmt: skip

        seconds: list[float] = []
        for number in range(1, args.runs + 1):
            started = time.monotonic()
            move = portfolio_migrate(actor=None, portfolio_id="M1")
            cluster.schedule(
                lambda to=move.to_node: (w := cluster.running_once(wanted)) and w["M1"] == to,
                what=f"M1 on {move.to_node}",
            )
            seconds.append(time.monotonic() - started)
            fields = status(bench.client, "M1")
            print(f"run {number}: {move.from_node} -> {move.to_node} in {seconds[-1]:.2f} s "
                  f"(processed {fields.get('processed')}, fills {fields.get('fills')})",
                  flush=True)  # fmt: skip
            time.sleep(args.gap)

        fills = Fill.objects.filter(portfolio_id="M1")
        twice = fills.values("order_id").annotate(n=Count("fill_id")).filter(n__gt=1).count()
        print(f"M1: {fills.count()} fills; orders executed more than once: {twice}")
        print(report("migration (request -> running on the target)", seconds, GOAL))
    return 1 if twice else 0


if __name__ == "__main__":
    sys.exit(main())
