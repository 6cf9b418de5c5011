"""Upstream: (entry point: python -m bench.node_latency)
Downstream: bench.scratch, trading.bus.codec, trading.bus.messages, trading.core.config, trading.core.orders.events, trading.core.registry, trading.node.inbox, trading.node.interest, trading.node.loader, trading.node.output, trading.node.processor, trading.node.router, trading.node.sequencer, trading.node.stale
Role: benchmark: price-in -> order-out latency inside a node (p50/p99) at 5,000 updates/s over ten portfolio threads, from the router's input to the producer call, without working orders and with one working on every bar (the wait for its fill), in one run.

Bars come in rounds, every symbol once per round at the round's time (a bar feed), and
every bar makes its portfolio trade (``random`` at rate 1: buy when flat, close when long). Half the portfolios have their orders filled at once, so no order is working when
their next bar comes: they run at full speed. The other half are filled as LiveCore fills
them, by a venue thread that sees each bar after the node does and fills the orders working
on its symbol at that bar, then sends the order's execution watermark: each of their bars
waits in the node until that fill is booked. The difference is what the wait costs. No
broker, database or Redis: the producer is replaced at its boundary.

    python -m bench.node_latency [--rate 5000] [--seconds 4] [--runs 5]
"""

import argparse
import bisect
import queue
import statistics
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bench.scratch import django_setup

GROUPS = ("instant", "venue")
PORTFOLIOS_PER_GROUP = 5
SYMBOLS_PER_PORTFOLIO = 2
WARM_UP = 500
BASE_NS = 1_700_000_000 * 1_000_000_000


@dataclass
class Latencies:
    """Router input -> order at the producer, per group, in ns; bars by (symbol, time)."""

    routed_at: dict[tuple[str, int], int] = field(default_factory=dict)
    by_group: dict[str, list[int]] = field(default_factory=lambda: {g: [] for g in GROUPS})

    def reached(self, group: str, symbol: str, ts: int) -> None:
        routed = self.routed_at.get((symbol, ts))
        if routed is not None:
            self.by_group[group].append(time.perf_counter_ns() - routed)


class Venue:
    """Stands in for the BusProducer at the producer boundary and for LiveCore behind it.

    ``instant`` portfolios' orders fill at once, back through the portfolio's inbox (as the
    feedback consumer would put them). ``venue`` portfolios' orders work until the venue
    thread sees the next bar of their symbol (every bar goes to it once the router had it):
    it fills them there, at that bar's time, and sends their watermark after the fill."""

    def __init__(self, latencies: Latencies) -> None:
        from trading.node.inbox import PortfolioInbox

        self.latencies = latencies
        self.inboxes: dict[str, PortfolioInbox] = {}
        self.bars: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._working: dict[str, list[Any]] = {}
        # Bar times seen per symbol, in order: a late order fills on the first after it.
        self._seen: dict[str, list[int]] = {}
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def publish(self, topic: str, message: Any) -> None:
        from trading.bus.messages import OrderSubmit

        if not isinstance(message, OrderSubmit):
            return
        group = _group(message.portfolio_id)
        self.latencies.reached(group, message.symbol, message.ts)
        if group == "instant":
            self._fill(message, message.ts)
            return
        with self._lock:
            seen = self._seen.get(message.symbol, [])
            later = bisect.bisect_right(seen, message.ts)
            if later == len(seen):
                self._working.setdefault(message.symbol, []).append(message)
                return
            first_after = seen[later]
        self._fill(message, first_after)  # late, as LiveCore fills it from its window

    def stop(self) -> None:
        self.bars.put(None)
        self._thread.join()

    def _serve(self) -> None:
        while (bar := self.bars.get()) is not None:
            with self._lock:
                self._seen.setdefault(bar.symbol, []).append(bar.ts)
                due = self._working.pop(bar.symbol, [])
            for order in due:
                self._fill(order, bar.ts)

    def _fill(self, order: Any, ts: int) -> None:
        from trading.bus.codec import from_ns
        from trading.core.orders.events import Fill
        from trading.node.sequencer import ExecutedThrough

        inbox = self.inboxes[order.portfolio_id]
        fill = Fill(
            fill_id=f"{order.client_order_id}:1",
            client_order_id=order.client_order_id,
            symbol=order.symbol,
            side=order.side,
            quantity=order.quantity,
            price=Decimal(100),
            commission=Decimal(0),
            time=from_ns(ts),
        )
        inbox.put_urgent(fill)
        inbox.put_urgent(ExecutedThrough(order.client_order_id, order.symbol, from_ns(ts)))


def _group(portfolio_id: str) -> str:
    return portfolio_id.split("-", 1)[0]


def portfolio_ids() -> list[str]:
    return [f"{group}-{n}" for group in GROUPS for n in range(PORTFOLIOS_PER_GROUP)]


def symbols_of(portfolio_id: str) -> tuple[str, ...]:
    return tuple(f"{portfolio_id}.S{n}" for n in range(SYMBOLS_PER_PORTFOLIO))


def bars(count: int) -> list[bytes]:
    """Pre-encoded bars in rounds: every symbol once per round, at the round's time."""
    from trading.bus.codec import encode
    from trading.bus.messages import PriceBar

    symbols = [s for p in portfolio_ids() for s in symbols_of(p)]
    return [
        encode(
            PriceBar(
                ts=BASE_NS + n // len(symbols) * 1000,
                symbol=symbols[n % len(symbols)],
                open=Decimal(100),
                high=Decimal(101),
                low=Decimal(99),
                close=Decimal(100) + n % 3,
                volume=Decimal(1000),
            )
        )
        for n in range(count)
    ]


@dataclass(frozen=True)
class RunResult:
    latencies: dict[str, list[int]]
    dropped: int
    waits_expired: int


def run(encoded: list[bytes], rate: float) -> RunResult:
    """One timed run: route every bar at ``rate`` per second, then drain and stop."""
    from trading.bus.codec import decode
    from trading.core.config import PortfolioConfig
    from trading.core.registry import ComponentSpec
    from trading.node.inbox import PortfolioInbox
    from trading.node.interest import InterestMap
    from trading.node.loader import PortfolioRun, build_loaded
    from trading.node.output import BusOutput
    from trading.node.processor import PortfolioProcessor
    from trading.node.router import Router
    from trading.node.stale import StaleGuard

    latencies = Latencies()
    venue = Venue(latencies)
    output = BusOutput(venue, "bench")  # type: ignore[arg-type]
    router = Router(InterestMap(), StaleGuard(60))
    processors = []
    for index, portfolio_id in enumerate(portfolio_ids()):
        config = PortfolioConfig(
            portfolio_id=portfolio_id,
            symbols=symbols_of(portfolio_id),
            initial_capital=Decimal(1_000_000_000),
            strategy=ComponentSpec("random", {"seed": index, "rate": 1.0, "size": 10}),
        )
        loaded = build_loaded(PortfolioRun(config, 1, (), ()))
        inbox = venue.inboxes[portfolio_id] = PortfolioInbox(1000)
        processor = PortfolioProcessor(loaded, inbox, output)
        processor.start()
        processors.append(processor)
        router.attach(portfolio_id, inbox)
        router.interest.set(portfolio_id, config.symbols)
    started = time.perf_counter()
    for number, raw in enumerate(encoded):
        ahead = started + number / rate - time.perf_counter()
        if ahead > 0.0005:
            time.sleep(ahead)
        routed = time.perf_counter_ns()
        message = decode(raw)
        if number >= WARM_UP:
            latencies.routed_at[message.symbol, message.ts] = routed
        router.route(message, time.time_ns())  # type: ignore[arg-type]
        venue.bars.put(message)  # LiveCore reads the same bar
    for processor in processors:
        processor.inbox.close()
        processor.thread.join()
    venue.stop()
    return RunResult(
        latencies.by_group,
        sum(p.inbox.dropped for p in processors),
        sum(p.sequencer.expired for p in processors),
    )


def percentile(values: list[int], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] / 1e6


def measure(rate: float, seconds: float, runs: int) -> dict[str, tuple[float, float]]:
    """Run ``runs`` times, print each, and print and return the medians: group -> (p50,
    p99) in ms. Django must be set up."""
    encoded = bars(int(rate * seconds))
    figures: dict[str, list[tuple[float, float]]] = {group: [] for group in GROUPS}
    for number in range(1, runs + 1):
        result = run(encoded, rate)
        parts = []
        for group in GROUPS:
            values = result.latencies[group]
            p50, p99 = percentile(values, 0.50), percentile(values, 0.99)
            figures[group].append((p50, p99))
            parts.append(f"{_label(group)} p50 {p50:.3f} ms p99 {p99:.3f} ms ({len(values):,})")
        print(
            f"run {number}: " + " | ".join(parts) + f" | {result.dropped} dropped, "
            f"{result.waits_expired} waits expired",
            flush=True,
        )
    medians = {
        group: (
            statistics.median(p50 for p50, _ in figures[group]),
            statistics.median(p99 for _, p99 in figures[group]),
        )
        for group in GROUPS
    }
    print(
        "median over runs (update in -> order at the producer): "
        + " | ".join(
            f"{_label(group)}: p50 {p50:.3f} ms, p99 {p99:.3f} ms"
            for group, (p50, p99) in medians.items()
        ),
        flush=True,
    )
    return medians


def _label(group: str) -> str:
    return "without working orders" if group == "instant" else "with working orders"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[2])
    parser.add_argument("--rate", type=float, default=5000.0, help="updates per second")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of a run")
    parser.add_argument("--runs", type=int, default=5, help="timed runs")
    options = parser.parse_args(argv)
    with ExitStack() as stack:
        django_setup(stack)
        measure(options.rate, options.seconds, options.runs)


if __name__ == "__main__":
    main()
