"""Upstream: (entry point: python -m bench.gateway_throughput)
Downstream: bench.scratch, ginkgo_site.devstack, trading.bus.config, trading.bus.consumer, trading.bus.deadletter, trading.bus.mapping, trading.bus.messages, trading.bus.producer, trading.bus.topics, trading.core.enums, trading.core.orders.order, trading.livecore.runtime, trading.livecore.sources, trading.models
Role: benchmark: orders per second and latency percentiles through submission -> LiveEngine (paper) -> fill -> feedback.

Everything real, nothing shared: it starts its own Tansu broker (ginkgo_site.devstack), and
by default creates a scratch PostgreSQL database ``ginkgo_bench_<pid>`` on the server named
by BENCH_POSTGRES_URL (default postgres://root@127.0.0.1:5432/postgres, used only to create
and drop it), migrates it and drops it at the end. Redis is REDIS_URL (default the machine's) under a
``bench<pid>:`` key prefix, cleaned up afterwards. LiveCore runs in this process (threads)
with a synthetic tick source, so market orders fill on the next tick after their event time.

Each run first sends ``--orders`` market orders paced at ``--pace`` per second (latency:
send -> fill message received, p50/p95/p99), then ``--orders`` more as fast as possible
(throughput: orders per second from the first send to the last fill on the feedback topic;
their latencies are mostly queueing). Each phase starts once the engine has caught up with
the market data.
The figures printed last are the medians over ``--runs`` runs (after one warm-up run).

    python -m bench.gateway_throughput [--orders 1000] [--runs 3] [--pace 20] [--ticks 200]
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from bench.scratch import delete_keys, django_setup, scratch_database

SYMBOLS = ("AAA", "BBB", "CCC", "DDD")
# Ticks published but not yet matched that still count as "caught up".
MAX_TICKS_IN_FLIGHT = 20


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Bench:
    """LiveCore, a publisher playing the nodes and a reader of the feedback topic."""

    def __init__(self, stack: ExitStack, workdir: Path, tick_rate: float) -> None:
        import redis
        from django.conf import settings
        from django.core.management import call_command

        from ginkgo_site.devstack import start_tansu
        from trading.bus.config import BusConfig
        from trading.bus.consumer import ConsumerLoop, ConsumerSpec
        from trading.bus.deadletter import DeadLetters
        from trading.bus.producer import BusProducer
        from trading.bus.topics import ORDERS_FEEDBACK
        from trading.livecore.runtime import LiveCore, LiveCoreConfig
        from trading.livecore.sources import SyntheticTickSource
        from trading.models import Portfolio

        call_command("migrate", verbosity=0)
        Portfolio.objects.create(
            portfolio_id="BENCH",
            name="bench",
            symbols=list(SYMBOLS),
            initial_capital=Decimal(10**9),
            strategy={"name": "buy_and_hold", "params": {}},
        )
        kafka = start_tansu(workdir / "kafka")
        stack.callback(kafka.stop)
        self.bus = BusConfig(kafka.url, "bench.")
        settings.GINKGO_REDIS_PREFIX = prefix = f"bench{os.getpid()}:"
        stack.callback(delete_keys, redis.Redis.from_url(settings.REDIS_URL), prefix)

        self.received: dict[str, float] = {}
        self.producer = BusProducer(self.bus, source="bench", linger_ms=1)
        stack.callback(self.producer.close)
        stop = threading.Event()
        reader = ConsumerLoop(
            self.bus,
            ConsumerSpec("feedback", (ORDERS_FEEDBACK,), None, "latest"),
            self._on_feedback,
            DeadLetters(self.producer),
            stop=stop,
            poll_timeout=0.01,
        )
        self.core = LiveCore(
            LiveCoreConfig(
                engine_id="bench",
                source=SyntheticTickSource(SYMBOLS, rate=tick_rate, seed=1),
                publish_all=True,
                # Two minutes of ticks per symbol: a burst's last orders arrive long after
                # the prices that follow their event time, and must not be rejected as late.
                window=int(120 * tick_rate / len(SYMBOLS)),
                report_interval=60.0,
            ),
            self.bus,
        )
        core_thread = threading.Thread(target=self.core.run, daemon=True)
        reader_thread = threading.Thread(target=reader.run, daemon=True)
        core_thread.start()
        stack.callback(core_thread.join)
        stack.callback(self.core.stop)
        # LiveCore creates the topics; the reader starts once they exist.
        ready = self.core.ready.wait(60)
        reader_thread.start()
        stack.callback(reader_thread.join)
        stack.callback(stop.set)
        if not (ready and reader.assigned.wait(60)):
            raise RuntimeError("LiveCore or the feedback reader did not start")
        self._sequence = 0

    def _on_feedback(self, message: object, delivery: object) -> None:
        from trading.bus.messages import FillReport

        if isinstance(message, FillReport) and not message.leaves_quantity:
            self.received[message.client_order_id] = time.perf_counter()

    def send(self, count: int, pace: float | None) -> dict[str, float]:
        """Send ``count`` market orders (as fast as possible, or ``pace`` a second)."""
        from trading.bus.mapping import order_message
        from trading.bus.topics import ORDERS_SUBMISSION
        from trading.core.enums import Side
        from trading.core.orders.order import Order

        sent: dict[str, float] = {}
        start = time.perf_counter()
        for index in range(count):
            if pace:
                delay = start + index / pace - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            self._sequence += 1
            order = Order(
                f"BENCH-0-{self._sequence}",
                "BENCH",
                SYMBOLS[index % len(SYMBOLS)],
                Side.BUY,
                Decimal(1),
                datetime.now(UTC),
            )
            sent[order.client_order_id] = time.perf_counter()
            self.producer.publish(ORDERS_SUBMISSION, order_message(order))
        self.producer.flush()
        return sent

    def wait(self, sent: dict[str, float], timeout: float = 300.0) -> list[float]:
        """Seconds from send to fill message, once every order has its fill."""
        deadline = time.monotonic() + timeout
        while any(coid not in self.received for coid in sent):
            if time.monotonic() > deadline:
                missing = sum(coid not in self.received for coid in sent)
                raise RuntimeError(
                    f"{missing} order(s) got no fill in {timeout} s; LiveCore counted "
                    f"{self.core.counters.snapshot()}"
                )
            time.sleep(0.01)
        return [self.received[coid] - at for coid, at in sent.items()]

    def drain(self, timeout: float = 300.0) -> None:
        """Wait until the engine has caught up with the market data (a burst leaves a backlog
        of ticks behind the order intake; the next phase must not start behind it)."""
        deadline = time.monotonic() + timeout
        counters = self.core.counters
        while counters["published"] - counters["prices"] > MAX_TICKS_IN_FLIGHT:
            if time.monotonic() > deadline:
                raise RuntimeError("the engine did not catch up with the market data")
            time.sleep(0.05)

    def run(self, orders: int, pace: float) -> tuple[float, list[float], list[float]]:
        self.drain()
        paced_latency = self.wait(self.send(orders, pace))
        self.drain()
        burst = self.send(orders, None)
        burst_latency = self.wait(burst)
        elapsed = max(self.received[c] for c in burst) - min(burst.values())
        return orders / elapsed, burst_latency, paced_latency


def _ms(values: list[float]) -> str:
    p50, p95, p99 = (percentile(values, f) * 1000 for f in (0.50, 0.95, 0.99))
    return f"p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms"


def _median_ms(results: list[tuple[float, list[float], list[float]]], phase: int) -> str:
    p50, p95, p99 = (
        statistics.median(percentile(run[phase], f) * 1000 for run in results)  # type: ignore[arg-type]
        for f in (0.50, 0.95, 0.99)
    )
    return f"p50 {p50:.1f} ms  p95 {p95:.1f} ms  p99 {p99:.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[2])
    parser.add_argument(
        "--orders", type=int, default=1000, help="orders per burst and per paced phase"
    )
    parser.add_argument("--runs", type=int, default=3, help="measured runs (after one warm-up)")
    parser.add_argument("--pace", type=float, default=20.0, help="orders per second when paced")
    parser.add_argument("--ticks", type=float, default=200.0, help="synthetic ticks per second")
    args = parser.parse_args(argv)
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="ginkgo-bench-") as tmp:
        url = stack.enter_context(scratch_database())
        django_setup(stack, DATABASE_URL=url)
        bench = Bench(stack, Path(tmp), args.ticks)
        database = f"PostgreSQL {url.rsplit('/', 1)[-1]}"
        print(
            f"gateway throughput: {args.orders} orders/phase, {database}, Tansu, "
            f"{len(SYMBOLS)} symbols at {args.ticks:.0f} ticks/s",
            flush=True,
        )
        bench.run(min(args.orders, 200), args.pace)
        results = []
        for number in range(1, args.runs + 1):
            rate, burst, paced = bench.run(args.orders, args.pace)
            results.append((rate, burst, paced))
            print(
                f"run {number}: {rate:7.0f} orders/s | burst {_ms(burst)} | "
                f"paced {args.pace:.0f}/s {_ms(paced)}",
                flush=True,
            )
        median = statistics.median(r for r, _, _ in results)
        print(
            f"median of {args.runs} runs: {median:.0f} orders/s | burst {_median_ms(results, 1)} | "
            f"paced {_median_ms(results, 2)}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
