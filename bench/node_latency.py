"""Upstream: (entry point: python bench/node_latency.py)
Downstream: trading.bus.codec, trading.bus.messages, trading.core.config, trading.core.orders.events, trading.core.registry, trading.node.inbox, trading.node.interest, trading.node.loader, trading.node.output, trading.node.processor, trading.node.router, trading.node.stale
Role: benchmark: price-in -> order-out latency inside a node (p50/p99) at 5,000 updates/s over five portfolio threads, from the router's input to the producer call."""

import argparse
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

# Run as a script from anywhere: the repository root must be importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trading.bus.codec import decode, encode, from_ns
from trading.bus.messages import Message, OrderSubmit, PriceBar
from trading.core.config import PortfolioConfig
from trading.core.orders.events import Fill
from trading.core.registry import ComponentSpec
from trading.node.inbox import PortfolioInbox
from trading.node.interest import InterestMap
from trading.node.loader import PortfolioRun, build_loaded
from trading.node.output import BusOutput
from trading.node.processor import PortfolioProcessor
from trading.node.router import Router
from trading.node.stale import StaleGuard

PORTFOLIOS = 5
SYMBOLS_PER_PORTFOLIO = 2
WARM_UP = 500
BASE_NS = 1_700_000_000 * 1_000_000_000


class InstantVenue:
    """Stands in for the BusProducer at the producer boundary: notes when each order reached
    it, and fills it at once (back through the portfolio's inbox, as the feedback consumer
    would), so every bar can trade again."""

    def __init__(self) -> None:
        self.routed_at: dict[int, int] = {}
        self.latencies_ns: list[int] = []
        self.inboxes: dict[str, PortfolioInbox] = {}

    def publish(self, topic: str, message: Message) -> None:
        reached = time.perf_counter_ns()
        if not isinstance(message, OrderSubmit):
            return
        routed = self.routed_at.pop(message.ts, None)
        if routed is not None:
            self.latencies_ns.append(reached - routed)
        fill = Fill(
            fill_id=f"{message.client_order_id}:1",
            client_order_id=message.client_order_id,
            symbol=message.symbol,
            side=message.side,
            quantity=message.quantity,
            price=Decimal(100),
            commission=Decimal(0),
            time=from_ns(message.ts),
        )
        self.inboxes[message.portfolio_id].put_urgent(fill)


def config(index: int) -> PortfolioConfig:
    return PortfolioConfig(
        portfolio_id=f"P{index}",
        symbols=tuple(f"P{index}S{n}" for n in range(SYMBOLS_PER_PORTFOLIO)),
        initial_capital=Decimal(1_000_000_000),
        # Acts on every bar: buys when flat, closes when long.
        strategy=ComponentSpec("random", {"seed": index, "rate": 1.0, "size": 10}),
    )


def bars(count: int) -> list[bytes]:
    """Pre-encoded bars, round robin over every symbol, each with a unique event time."""
    symbols = [s for i in range(PORTFOLIOS) for s in config(i).symbols]
    return [
        encode(
            PriceBar(
                ts=BASE_NS + n * 1000,
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


def run(encoded: list[bytes], rate: float) -> tuple[list[int], int]:
    venue = InstantVenue()
    output = BusOutput(venue, "bench")  # type: ignore[arg-type]
    router = Router(InterestMap(), StaleGuard(60))
    processors = []
    for index in range(PORTFOLIOS):
        loaded = build_loaded(PortfolioRun(config(index), 1, (), ()))
        inbox = venue.inboxes[loaded.config.portfolio_id] = PortfolioInbox(1000)
        processor = PortfolioProcessor(loaded, inbox, output)
        processor.start()
        processors.append(processor)
        router.attach(processor.portfolio_id, inbox)
        router.interest.set(processor.portfolio_id, loaded.config.symbols)
    started = time.perf_counter()
    for number, raw in enumerate(encoded):
        ahead = started + number / rate - time.perf_counter()
        if ahead > 0.0005:
            time.sleep(ahead)
        routed = time.perf_counter_ns()
        message = decode(raw)
        if number >= WARM_UP:
            venue.routed_at[message.ts] = routed
        router.route(message, time.time_ns())  # type: ignore[arg-type]
    for processor in processors:
        processor.inbox.close()
        processor.thread.join()
    return venue.latencies_ns, sum(p.inbox.dropped for p in processors)


def percentile(values: list[int], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[2])
    parser.add_argument("--rate", type=float, default=5000.0, help="updates per second")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of a run")
    parser.add_argument("--runs", type=int, default=5, help="timed runs")
    options = parser.parse_args()

    encoded = bars(int(options.rate * options.seconds))
    p50s, p99s = [], []
    for number in range(1, options.runs + 1):
        latencies, dropped = run(encoded, options.rate)
        p50s.append(percentile(latencies, 0.50))
        p99s.append(percentile(latencies, 0.99))
        print(
            f"run {number}: p50 {p50s[-1]:.3f} ms  p99 {p99s[-1]:.3f} ms  "
            f"max {max(latencies) / 1e6:.3f} ms  ({len(latencies):,} orders, {dropped} dropped)",
            flush=True,
        )
    print(
        f"median over runs: p50 {statistics.median(p50s):.3f} ms, "
        f"p99 {statistics.median(p99s):.3f} ms (update in -> order at the producer)"
    )


if __name__ == "__main__":
    main()
