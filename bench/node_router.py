"""Upstream: (entry point: python bench/node_router.py)
Downstream: trading.bus.codec, trading.bus.messages, trading.node.inbox, trading.node.interest, trading.node.router, trading.node.stale
Role: benchmark: market-data routing throughput of one node: decode + stale check + interest lookup + fan-out into five portfolio queues (in-process, no broker)."""

import argparse
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

# Run as a script from anywhere: the repository root must be importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trading.bus.codec import decode, encode
from trading.bus.messages import PriceMessage, PriceTick
from trading.node.inbox import PortfolioInbox
from trading.node.interest import InterestMap
from trading.node.router import Router
from trading.node.stale import StaleGuard

PORTFOLIOS = 5
SYMBOLS = [f"S{n:03d}" for n in range(50)]
SHARED = SYMBOLS[:5]


def wanted(index: int) -> list[str]:
    """Ten symbols of its own plus five every portfolio shares (fan-out 1 or 5)."""
    return [*SYMBOLS[10 * index : 10 * index + 10], *SHARED]


def messages(count: int) -> list[bytes]:
    """Pre-encoded ticks, round robin over the symbols, stamped now (fresh for the guard)."""
    now = time.time_ns()
    return [
        encode(
            PriceTick(
                ts=now + n,
                source="bench",
                symbol=SYMBOLS[n % len(SYMBOLS)],
                price=Decimal("100.25") + n % 100,
                size=Decimal(100),
            )
        )
        for n in range(count)
    ]


def run(encoded: list[bytes]) -> tuple[float, Router]:
    router = Router(InterestMap(), StaleGuard(60))
    for index in range(PORTFOLIOS):
        portfolio_id = f"P{index}"
        # Room for everything: this measures routing, not what a full queue refuses.
        router.attach(portfolio_id, PortfolioInbox(len(encoded) + 10))
        router.interest.set(portfolio_id, wanted(index))
    published = time.time_ns()
    route = router.route
    started = time.perf_counter()
    for raw in encoded:
        message = decode(raw)
        if isinstance(message, PriceMessage):
            route(message, published)
    return len(encoded) / (time.perf_counter() - started), router


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[2])
    parser.add_argument("--messages", type=int, default=300_000, help="messages per run")
    parser.add_argument("--runs", type=int, default=5, help="timed runs")
    options = parser.parse_args()

    print(f"encoding {options.messages:,} ticks over {len(SYMBOLS)} symbols (not timed)...")
    encoded = messages(options.messages)
    rates = []
    for number in range(1, options.runs + 1):
        rate, router = run(encoded)
        rates.append(rate)
        print(
            f"run {number}: {rate:>10,.0f} messages/s  "
            f"(fan-out {router.offered / router.received:.2f}, stale {router.stale})",
            flush=True,
        )
    print(f"median: {statistics.median(rates):,.0f} messages/s decoded and routed")


if __name__ == "__main__":
    main()
