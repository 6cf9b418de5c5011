"""Upstream: bench.feed_storage, bench.gateway_throughput, trading.livecore.datamanager, trading.livecore.runtime, trading.management.commands.run_livecore, trading.management.commands.seed_demo, trading.services.demo
Downstream: trading.core.data.csv_bars, trading.core.data.ordering, trading.core.market, trading.livecore.marks
Role: market data sources behind one interface: bar replay (files now, a bar store later) and a seeded synthetic tick generator."""

import itertools
import random
from abc import ABC, abstractmethod
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from trading.core.data.csv_bars import read_csv_bars
from trading.core.data.ordering import merge_streams
from trading.core.market import Bar, PriceUpdate, Tick
from trading.livecore.marks import FeedMark

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

    @abstractmethod
    def resumed(self, marks: Mapping[str, FeedMark]) -> "MarketDataSource":
        """This source carrying on after ``marks`` (where an earlier run of the feed got to):
        no update of a symbol at or before its mark, prices continuing from the marks."""


class BarReplaySource(MarketDataSource):
    """Replays bar streams (one per symbol, each in time order) merged in the event order
    (trading.core.data.ordering: time, then symbol), at ``seconds_per_bar`` between distinct
    bar times (0: as fast as possible); bars at or before ``after`` (per symbol) are passed
    over without a wait. Its streams are read once.
    """

    def __init__(
        self,
        streams: Iterable[Iterable[Bar]],
        seconds_per_bar: float = 0.0,
        after: Mapping[str, datetime] | None = None,
    ) -> None:
        if seconds_per_bar < 0:
            raise ValueError(f"seconds per bar must not be negative, got {seconds_per_bar}")
        self._streams = list(streams)
        self._seconds_per_bar = seconds_per_bar
        self._after = dict(after or {})

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

    def updates(self) -> Generator[Paced, None, dict[str, Bar]]:
        """The bars after ``after``; returns each symbol's last bar, replayed or passed over."""
        last: dict[str, Bar] = {}
        previous: datetime | None = None
        for bar in merge_streams(self._streams):
            last[bar.symbol] = bar
            mark = self._after.get(bar.symbol)
            if mark is not None and bar.time <= mark:
                continue
            new_time = previous is not None and bar.time != previous
            yield Paced(self._seconds_per_bar if new_time else 0.0, bar)
            previous = bar.time
        return last

    def resumed(self, marks: Mapping[str, FeedMark]) -> "BarReplaySource":
        after = {symbol: mark.time for symbol, mark in marks.items()}
        return BarReplaySource(self._streams, self._seconds_per_bar, after)


@dataclass(frozen=True, slots=True)
class ReplaySpan:
    """What a bar replay covers and where it carries on after a feed's marks."""

    symbols: tuple[str, ...]
    first: datetime | None
    last: datetime | None
    # Distinct bar times: trading days, for daily bars.
    times: int
    # Whether the feed has marks for some symbol of the replay (a resumed run).
    resuming: bool
    # The first bar time a run resumed after the marks replays; None once every bar went out.
    next_time: datetime | None


def replay_span(streams: Iterable[Iterable[Bar]], marks: Mapping[str, FeedMark]) -> ReplaySpan:
    """The span of the bar ``streams`` (read through) and where a run resumed after ``marks``
    (see :meth:`BarReplaySource.resumed`) starts."""
    times: set[datetime] = set()
    ahead: set[datetime] = set()
    symbols: set[str] = set()
    for bar in itertools.chain.from_iterable(streams):
        times.add(bar.time)
        symbols.add(bar.symbol)
        mark = marks.get(bar.symbol)
        if mark is None or bar.time > mark.time:
            ahead.add(bar.time)
    return ReplaySpan(
        symbols=tuple(sorted(symbols)),
        first=min(times, default=None),
        last=max(times, default=None),
        times=len(times),
        resuming=not symbols.isdisjoint(marks),
        next_time=min(ahead, default=None),
    )


class WallClock:
    """The real time (aware UTC); live sources stamp their updates with it."""

    def now(self) -> datetime:
        """Now, in UTC."""
        return datetime.now(UTC)


class SyntheticTickSource(MarketDataSource):
    """A seeded random walk per symbol, ``rate`` ticks a second in all, round robin.

    Prices and sizes depend only on the seed and the start prices; times come from ``clock``,
    strictly increasing per symbol and after the symbol's ``start_times``. ``count`` bounds
    the stream (None: endless), for tests and benchmarks.
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
        start_times: Mapping[str, datetime] | None = None,
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
        self._start_times = dict(start_times or {})
        self._volatility = volatility

    def updates(self) -> Iterator[Paced]:
        rng = random.Random(self._seed)
        prices = {s: self._start_prices.get(s, self._start_price) for s in self._symbols}
        last = dict(self._start_times)
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

    def resumed(self, marks: Mapping[str, FeedMark]) -> "SyntheticTickSource":
        mine = [marks[symbol] for symbol in self._symbols if symbol in marks]
        return SyntheticTickSource(
            self._symbols,
            rate=self._rate,
            seed=self._seed,
            count=self._count,
            clock=self._clock,
            start_price=self._start_price,
            start_prices={**self._start_prices, **{m.symbol: float(m.price) for m in mine}},
            start_times={**self._start_times, **{m.symbol: m.time for m in mine}},
            volatility=self._volatility,
        )


class ReplayThenTicks(MarketDataSource):
    """A bar replay, then endless synthetic ticks that continue from each symbol's last close:
    the demo trades real history first and keeps the system busy afterwards. Resumed after
    marks later than a symbol's last bar (ticks went out before), its ticks continue from
    the mark instead: its price, after its time."""

    def __init__(
        self,
        replay: BarReplaySource,
        *,
        rate: float,
        seed: int = 0,
        after: Mapping[str, FeedMark] | None = None,
    ) -> None:
        self._replay = replay
        self._rate = rate
        self._seed = seed
        self._after = dict(after or {})

    def updates(self) -> Iterator[Paced]:
        last_bars = yield from self._replay.updates()
        if not last_bars:
            return
        # Where each symbol's ticks carry on: its last bar, or its mark if that is later.
        marks = {symbol: FeedMark.of(bar) for symbol, bar in last_bars.items()}
        marks |= {s: m for s, m in self._after.items() if s in marks and m.time > marks[s].time}
        ticks = SyntheticTickSource(
            sorted(marks),
            rate=self._rate,
            seed=self._seed,
            start_prices={symbol: float(mark.price) for symbol, mark in marks.items()},
            start_times={symbol: mark.time for symbol, mark in marks.items()},
        )
        yield from ticks.updates()

    def resumed(self, marks: Mapping[str, FeedMark]) -> "ReplayThenTicks":
        return ReplayThenTicks(
            self._replay.resumed(marks), rate=self._rate, seed=self._seed, after=marks
        )
