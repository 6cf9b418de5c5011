"""Upstream: (entry point: python bench/backtest_speed.py)
Downstream: trading.core.backtest.engine, trading.core.config, trading.core.data.csv_bars, trading.core.registry, trading.core.testing.random_walk
Role: benchmark: bars per second of sma_cross through the backtest engine, from memory and from a CSV file."""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

# Run as a script from anywhere: the repository root must be importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trading.core.backtest.engine import BacktestEngine
from trading.core.config import PortfolioConfig
from trading.core.data.csv_bars import read_csv_bars
from trading.core.registry import ComponentSpec
from trading.core.testing.random_walk import random_walk, write_bars_csv

CONFIG = PortfolioConfig(
    portfolio_id="bench",
    symbols=("BENCH",),
    initial_capital=Decimal(1_000_000),
    strategy=ComponentSpec("sma_cross", {"period": 20, "size": 10}),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[2])
    parser.add_argument("--bars", type=int, default=1_000_000, help="bars per run")
    parser.add_argument("--runs", type=int, default=5, help="timed runs from memory")
    parser.add_argument("--no-csv", action="store_true", help="skip the CSV run")
    options = parser.parse_args()

    print(f"generating {options.bars:,} one-minute bars (seeded, not timed)...", flush=True)
    bars = list(random_walk(options.bars, seed=1, symbol="BENCH", step=timedelta(minutes=1)))
    engine = BacktestEngine(CONFIG)
    rates = []
    for run in range(1, options.runs + 1):
        started = time.perf_counter()
        result = engine.run(bars)
        elapsed = time.perf_counter() - started
        rates.append(len(bars) / elapsed)
        print(
            f"run {run}: {rates[-1]:>10,.0f} bars/s  ({elapsed:.2f} s, "
            f"{len(result.orders):,} orders, {result.trade_count:,} fills)",
            flush=True,
        )
    print(f"median:  {statistics.median(rates):>10,.0f} bars/s")
    if not options.no_csv:
        _csv_run(bars)


def _csv_run(bars: list) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write_bars_csv(Path(folder) / "BENCH.csv", bars, with_time=True)
        started = time.perf_counter()
        BacktestEngine(CONFIG).run(read_csv_bars(path))
        elapsed = time.perf_counter() - started
    print(f"with CSV parsing: {len(bars) / elapsed:,.0f} bars/s  ({elapsed:.2f} s)")


if __name__ == "__main__":
    main()
