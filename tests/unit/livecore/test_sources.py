"""Upstream: (entry point: pytest)
Downstream: trading.core.market, trading.livecore.sources
Role: the replay-then-ticks source trades history first, then continues each symbol from its last close."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import islice

from trading.core.market import Bar, Tick
from trading.livecore.sources import BarReplaySource, ReplayThenTicks


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
