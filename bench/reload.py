"""Upstream: (entry point: python -m bench.reload)
Downstream: bench.cluster_stack, ginkgo_site.devstack.cluster, ginkgo_site.devstack.feed, ginkgo_site.devstack.waiting, trading.bus.config, trading.bus.producer, trading.services.portfolios, (computed)
Role: benchmark: graceful reload time under a live feed, from saving a new configuration until the node runs the new version (median of runs), with loss and repeats checked.

One ``manage.py run_node`` hosts ``R1`` (sma_cross) under a ``--rate`` updates/s feed of its
symbol. Each run saves a new strategy period through the portfolio service (what the API's
PATCH calls: version N+1, then ``portfolio.reload`` after the commit) and times until the
status says ``running`` at the new version: the node buffers, drains, builds the new
instance and replays the buffer. At the end every published update must have been
processed exactly once (``processed`` equals the published count; no repeats, no drops).
Own Tansu, Redis and scratch database (bench.cluster_stack).

    python -m bench.reload [--runs 7] [--rate 1000]

Goal (issue #6): reload under 1 s.
"""

import argparse
import sys
import time

from bench.cluster_stack import bench_stack, portfolios_create, report, runs_argument

GOAL = 1.0
PERIOD = 5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[2])
    runs_argument(parser, default=7)
    parser.add_argument("--rate", type=float, default=1000.0, help="feed updates per second")
    args = parser.parse_args(argv)
    with bench_stack() as bench:
        from ginkgo_site.devstack.cluster import spawn, status, stop
        from ginkgo_site.devstack.feed import TickFeed
        from ginkgo_site.devstack.waiting import wait_until
        from trading.bus.config import BusConfig
        from trading.bus.producer import BusProducer
        from trading.services.portfolios import portfolio_update

        portfolios_create({"R1": ["RRR"]}, {"name": "sma_cross", "params": {"period": PERIOD}})
        node = spawn(["run_node", "--node-id", "r1", "--portfolios", "R1"], bench.env,
                     bench.workdir / "node.log")  # fmt: skip
        bench.stack.callback(stop, node)
        wait_until(lambda: status(bench.client, "R1").get("status") == "running", timeout=60,
                   what="R1 running")  # fmt: skip
        producer = BusProducer(BusConfig.from_settings(), source="bench", linger_ms=5)
        bench.stack.callback(producer.close)
        feed = TickFeed(producer, "RRR", args.rate).start()
        wait_until(lambda: int(status(bench.client, "R1").get("processed", 0)) > args.rate / 2,
                   what="the feed reaching R1")  # fmt: skip
        print(f"R1 under {args.rate:.0f} updates/s; reloading it {args.runs} times", flush=True)

        seconds: list[float] = []
        for number in range(1, args.runs + 1):
            strategy = {"name": "sma_cross", "params": {"period": PERIOD + number}}
            started = time.monotonic()
            portfolio = portfolio_update(actor=None, portfolio_id="R1",
                                         data={"strategy": strategy})  # fmt: skip
            version = str(portfolio.version)
            wait_until(
                lambda v=version: (
                    (s := status(bench.client, "R1")).get("version") == v
                    and s.get("status") == "running"
                ),
                what=f"R1 running v{version}",
            )
            seconds.append(time.monotonic() - started)
            print(f"run {number}: v{version} running after {seconds[-1] * 1000:.0f} ms",
                  flush=True)  # fmt: skip
            time.sleep(0.5)

        published = feed.stop()
        final = wait_until(
            lambda: (s := status(bench.client, "R1")) and int(s["processed"]) >= published and s,
            what="every update processed",
        )
        print(f"published {published} updates: processed {final['processed']}, "
              f"repeats {final['repeats']}, dropped {final['dropped']}")  # fmt: skip
        print(report("reload (saved -> new version running)", seconds, GOAL))
        intact = (
            int(final["processed"]) == published and final["repeats"] == final["dropped"] == "0"
        )
    return 0 if intact else 1


if __name__ == "__main__":
    sys.exit(main())
