"""Upstream: (entry point: pytest)
Downstream: trading.core.market, trading.livecore.marks, trading.livecore.sources
Role: the replay-then-ticks source trades history first, then continues each symbol from its last close; a resumed source carries on after the feed's marks, never back in time."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import islice

from trading.core.market import Bar, Tick
from trading.livecore.marks import FeedMark
from trading.livecore.sources import (
    BarReplaySource,
    ReplaySpan,
    ReplayThenTicks,
    SyntheticTickSource,
    WallClock,
    replay_span,
)


def _bars(symbol: str, closes: list[str]) -> list[Bar]:
    start = datetime(2024, 1, 2, tzinfo=UTC)
    return [
        Bar(
            symbol,
            Decimal(c),
            Decimal(c),
            Decimal(c),
            Decimal(c),
            Decimal(100),
            start + timedelta(days=i),
        )
        for i, c in enumerate(closes)
    ]


def test_replay_comes_first_in_time_order_then_ticks_start_at_the_last_closes():
    replay = BarReplaySource([_bars("AAA", ["10", "11"]), _bars("BBB", ["50", "52"])])

    updates = [p.update for p in islice(ReplayThenTicks(replay, rate=1000, seed=3).updates(), 8)]

    bars, ticks = updates[:4], updates[4:]
    assert all(isinstance(u, Bar) for u in bars)
    assert [(b.symbol, b.close) for b in bars] == [
        ("AAA", Decimal(10)),
        ("BBB", Decimal(50)),
        ("AAA", Decimal(11)),
        ("BBB", Decimal(52)),
    ]
    assert all(isinstance(u, Tick) for u in ticks)
    first = {t.symbol: t.price for t in ticks[:2]}
    # A random walk with tiny steps: the first tick stays within a cent or two of the close.
    assert abs(first["AAA"] - 11) < Decimal("0.05")
    assert abs(first["BBB"] - 52) < Decimal("0.2")


def test_an_empty_replay_yields_nothing():
    assert list(ReplayThenTicks(BarReplaySource([]), rate=10).updates()) == []


def _mark(symbol: str, day: int, price: str) -> FeedMark:
    return FeedMark(symbol, datetime(2024, 1, 2, tzinfo=UTC) + timedelta(days=day), Decimal(price))


class _FixedClock(WallClock):
    """A wall clock stuck before the marks: ticks must still come after them."""

    def now(self) -> datetime:
        return datetime(2000, 1, 1, tzinfo=UTC)


def test_a_resumed_replay_starts_after_each_symbols_mark_without_waiting_for_what_it_passes():
    replay = BarReplaySource(
        [_bars("AAA", ["10", "11", "12", "13"]), _bars("BBB", ["50", "51", "52", "53"])],
        seconds_per_bar=1.0,
    )

    resumed = replay.resumed({"AAA": _mark("AAA", 1, "11"), "BBB": _mark("BBB", 2, "52")})
    paced = list(resumed.updates())

    assert [(p.update.symbol, p.update.close, p.delay) for p in paced] == [
        ("AAA", Decimal(12), 0.0),
        ("AAA", Decimal(13), 1.0),
        ("BBB", Decimal(53), 0.0),
    ]


def test_a_replay_resumed_after_its_files_goes_on_with_ticks_from_the_marks_never_back_in_time():
    replay = BarReplaySource([_bars("AAA", ["10", "11"]), _bars("BBB", ["50", "52"])])
    # Ticks went out after the files: AAA's last one at 20.00, stamped by a clock that has
    # since been set back (its mark is ahead of now); BBB's mark is its last bar.
    marks = {"AAA": _mark("AAA", 100 * 365, "20"), "BBB": _mark("BBB", 1, "52")}

    source = ReplayThenTicks(replay, rate=1000, seed=3).resumed(marks)
    ticks = [p.update for p in islice(source.updates(), 4)]

    assert all(isinstance(t, Tick) for t in ticks)
    first = {t.symbol: t for t in ticks[:2]}
    assert abs(first["AAA"].price - 20) < Decimal("0.05")
    assert abs(first["BBB"].price - 52) < Decimal("0.2")
    assert all(t.time > marks[t.symbol].time for t in ticks)


def test_resumed_synthetic_ticks_start_at_the_marks_and_come_after_them():
    marks = {"AAA": _mark("AAA", 0, "42.50")}
    source = SyntheticTickSource(["AAA", "BBB"], rate=1000, seed=1, clock=_FixedClock())

    ticks = [p.update for p in islice(source.resumed(marks).updates(), 4)]

    aaa = [t for t in ticks if t.symbol == "AAA"]
    assert abs(aaa[0].price - Decimal("42.50")) < Decimal("0.1")
    assert all(t.time > marks["AAA"].time for t in aaa)
    assert aaa[1].time > aaa[0].time
    assert all(abs(t.price - 100) < 1 for t in ticks if t.symbol == "BBB")


def test_the_replay_span_counts_distinct_days_and_says_where_a_resumed_run_starts():
    def streams() -> list[list[Bar]]:
        return [_bars("AAA", ["10", "11", "12"]), _bars("BBB", ["50", "51"])]

    fresh = replay_span(streams(), {})
    resumed = replay_span(streams(), {"AAA": _mark("AAA", 1, "11"), "BBB": _mark("BBB", 0, "50")})
    done = replay_span(streams(), {"AAA": _mark("AAA", 9, "1"), "BBB": _mark("BBB", 9, "1")})

    day = datetime(2024, 1, 2, tzinfo=UTC)
    assert fresh == ReplaySpan(("AAA", "BBB"), day, day + timedelta(days=2), 3, False, day)
    assert (resumed.resuming, resumed.next_time) == (True, day + timedelta(days=1))
    assert (done.resuming, done.next_time) == (True, None)
    assert replay_span(streams(), {"ZZZ": _mark("ZZZ", 9, "1")}).resuming is False
