"""Upstream: bench.gateway_throughput, trading.livecore.datamanager, trading.livecore.runtime, trading.management.commands.run_livecore
Downstream: trading.core.data.csv_bars, trading.core.market
Role: market data sources behind one interface: bar replay (files now, a bar store later) and a seeded synthetic tick generator."""

import heapq
import random
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from trading.core.data.csv_bars import read_csv_bars
from trading.core.market import Bar, PriceUpdate, Tick

_CENT = Decimal("0.01")
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Paced:
    """An update and how long after the previous one it should go out, in seconds."""

    delay: float
    update: PriceUpdate


class MarketDataSource(ABC):
    """Where the DataManager's price updates come from, in event-time order.

    A source only says what to publish and when; the DataManager waits, filters by interest
    and publishes. A stored-bars source (the bar store of the storage issue) is a
    :class:`BarReplaySource` over the store's per-symbol bar streams.
    """

    @abstractmethod
    def updates(self) -> Iterator[Paced]:
        """The updates, each with its delay; a finite source ends, a live one does not."""


class BarReplaySource(MarketDataSource):
    """Replays bar streams (one per symbol, each in time order) merged in time order, at
    ``seconds_per_bar`` between distinct bar times (0: as fast as possible)."""

    def __init__(self, streams: Iterable[Iterable[Bar]], seconds_per_bar: float = 0.0) -> None:
        if seconds_per_bar < 0:
            raise ValueError(f"seconds per bar must not be negative, got {seconds_per_bar}")
        self._streams = list(streams)
        self._seconds_per_bar = seconds_per_bar

    @classmethod
    def from_files(
        cls,
        paths: Sequence[str | Path],
        symbols: Sequence[str] | None = None,
        seconds_per_bar: float = 0.0,
    ) -> "BarReplaySource":
        """CSV bar files (see trading.core.data.csv_bars); symbols default to the file names."""
        if symbols is not None and len(symbols) != len(paths):
            raise ValueError(f"{len(symbols)} symbol(s) for {len(paths)} file(s)")
        names = symbols or [None] * len(paths)
        return cls(
            [read_csv_bars(p, s) for p, s in zip(paths, names, strict=True)], seconds_per_bar
        )

    def updates(self) -> Iterator[Paced]:
        previous: datetime | None = None
        for bar in heapq.merge(*self._streams, key=lambda bar: (bar.time, bar.symbol)):
            new_time = previous is not None and bar.time != previous
            yield Paced(self._seconds_per_bar if new_time else 0.0, bar)
            previous = bar.time


class WallClock:
    """The real time (aware UTC); live sources stamp their updates with it."""

    def now(self) -> datetime:
        """Now, in UTC."""
        return datetime.now(UTC)


class SyntheticTickSource(MarketDataSource):
    """A seeded random walk per symbol, ``rate`` ticks a second in all, round robin.

    Prices and sizes depend only on the seed; times come from ``clock`` (strictly increasing
    per symbol). ``count`` bounds the stream (None: endless), for tests and benchmarks.
    """

    def __init__(
        self,
        symbols: Sequence[str],
        *,
        rate: float,
        seed: int = 0,
        count: int | None = None,
        clock: WallClock | None = None,
        start_price: float = 100.0,
        start_prices: Mapping[str, float] | None = None,
        volatility: float = 0.0005,
    ) -> None:
        if not symbols or rate <= 0:
            raise ValueError("a synthetic source needs symbols and a positive rate")
        self._symbols = tuple(symbols)
        self._rate = rate
        self._seed = seed
        self._count = count
        self._clock = clock or WallClock()
        self._start_price = start_price
        self._start_prices = dict(start_prices or {})
        self._volatility = volatility

    def updates(self) -> Iterator[Paced]:
        rng = random.Random(self._seed)
        prices = {s: self._start_prices.get(s, self._start_price) for s in self._symbols}
        last: dict[str, datetime] = {}
        delay = 1.0 / self._rate
        index = 0
        while self._count is None or index < self._count:
            symbol = self._symbols[index % len(self._symbols)]
            price = prices[symbol] = max(
                0.01, prices[symbol] * (1 + rng.gauss(0, self._volatility))
            )
            time = self._clock.now()
            if symbol in last and time <= last[symbol]:
                time = last[symbol] + _MICROSECOND
            last[symbol] = time
            size = Decimal(rng.randrange(1, 50) * 100)
            yield Paced(delay, Tick(symbol, Decimal(round(price * 100)) * _CENT, size, time))
            index += 1


class ReplayThenTicks(MarketDataSource):
    """A bar replay, then endless synthetic ticks that continue from each symbol's last close:
    the demo trades real history first and keeps the system busy afterwards."""

    def __init__(self, replay: BarReplaySource, *, rate: float, seed: int = 0) -> None:
        self._replay = replay
        self._rate = rate
        self._seed = seed

    def updates(self) -> Iterator[Paced]:
        closes: dict[str, float] = {}
        for paced in self._replay.updates():
            if isinstance(paced.update, Bar):
                closes[paced.update.symbol] = float(paced.update.close)
            yield paced
        if closes:
            ticks = SyntheticTickSource(
                sorted(closes), rate=self._rate, seed=self._seed, start_prices=closes
            )
            yield from ticks.updates()
