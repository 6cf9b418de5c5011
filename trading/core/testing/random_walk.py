"""Upstream: bench.backtest_speed, bench.feed_storage, bench.migration, (test suites)
Downstream: trading.core.market, trading.core.testing.builders
Role: seeded random-walk bar generators and a CSV writer, for tests and benchmarks."""

import csv
import random
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from trading.core.market import Bar
from trading.core.testing.builders import T0

_CENT = Decimal("0.01")


def random_walk(
    count: int,
    *,
    seed: int = 0,
    symbol: str = "AAA",
    start: datetime = T0,
    step: timedelta = timedelta(days=1),
    price: float = 100.0,
    volatility: float = 0.01,
) -> Iterator[Bar]:
    """``count`` bars of a geometric random walk, prices in cents, deterministic per seed.

    Each bar opens at the previous close; high and low wrap open and close with some noise.
    """
    rng = random.Random(seed)
    close = price
    for index in range(count):
        open_ = close
        close = max(0.01, open_ * (1 + rng.gauss(0, volatility)))
        spread = abs(rng.gauss(0, volatility / 2)) * open_
        high = max(open_, close) + spread
        low = max(0.01, min(open_, close) - spread)
        yield Bar(
            symbol=symbol,
            open=_cents(open_),
            high=_cents(high),
            low=_cents(low),
            close=_cents(close),
            volume=Decimal(rng.randrange(1_000, 100_000)),
            time=start + index * step,
        )


def write_bars_csv(path: str | Path, bars: Iterable[Bar], *, with_time: bool = False) -> Path:
    """Write bars as ``Date[,Time],Open,High,Low,Close,Volume``; returns the path."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Date", *(["Time"] if with_time else []), *_PRICE_COLUMNS])
        for item in bars:
            stamp = [item.time.strftime("%Y-%m-%d")]
            if with_time:
                stamp.append(item.time.strftime("%H:%M:%S"))
            writer.writerow([*stamp, item.open, item.high, item.low, item.close, item.volume])
    return path


_PRICE_COLUMNS = ("Open", "High", "Low", "Close", "Volume")


def _cents(value: float) -> Decimal:
    return Decimal(round(value * 100)) * _CENT
