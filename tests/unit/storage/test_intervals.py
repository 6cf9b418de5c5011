"""Upstream: (entry point: pytest)
Downstream: trading.core.market, trading.core.testing.builders, trading.core.testing.random_walk, trading.storage.intervals
Role: bar intervals: parsing, which stored interval builds a requested one, UTC bucket alignment and OHLCV resampling."""

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.core.market import Bar
from trading.core.testing.builders import bar, utc
from trading.core.testing.random_walk import random_walk
from trading.storage.intervals import Interval, resample, source_interval


@pytest.mark.parametrize("text", ["1m", "15m", "4h", "1d", "1w", "1mo", "3mo"])
def test_an_interval_prints_as_it_was_written(text):
    assert str(Interval.parse(text)) == text


@pytest.mark.parametrize("text", ["", "0d", "1y", "d", "1 d", "-1m", "10000m"])
def test_a_malformed_interval_is_rejected(text):
    with pytest.raises(ValueError, match="not like"):
        Interval.parse(text)


@pytest.mark.parametrize(
    ("stored", "target", "expected"),
    [
        (["1d"], "1d", "1d"),
        (["1d"], "1w", "1d"),
        (["1d"], "1mo", "1d"),
        (["1m", "5m", "1d"], "15m", "5m"),
        (["1m", "5m"], "1h", "5m"),
        (["1m", "7m"], "1h", "1m"),
        (["1d", "1m"], "1w", "1d"),
        (["1mo"], "3mo", "1mo"),
        (["1w"], "1mo", None),
        (["1d"], "15m", None),
        ([], "1d", None),
    ],
)
def test_the_coarsest_stored_interval_that_builds_the_target_is_chosen(stored, target, expected):
    assert source_interval(stored, Interval.parse(target)) == expected


def test_weeks_start_on_monday_and_months_on_the_first():
    sunday = utc("2024-03-10T23:59")

    assert Interval.parse("1w").bucket(sunday) == utc("2024-03-04")
    assert Interval.parse("1mo").bucket(sunday) == utc("2024-03-01")
    assert Interval.parse("3mo").bucket(sunday) == utc("2024-01-01")
    assert Interval.parse("15m").bucket(utc("2024-03-10T10:44:59")) == utc("2024-03-10T10:30")


def test_daily_bars_resample_into_weekly_ohlcv():
    days = [
        bar(10, open=9, high=12, low=8, volume=100, time=utc("2024-03-04")),  # Monday
        bar(11, open=10, high=13, low=9, volume=200, time=utc("2024-03-05")),
        bar(7, open=11, high=11, low=6, volume=300, time=utc("2024-03-08")),  # Friday
        bar(8, open=7, high=9, low=7, volume=50, time=utc("2024-03-11")),  # next Monday
    ]

    weeks = list(resample(days, Interval.parse("1w")))

    assert weeks == [
        Bar(
            "AAA",
            Decimal(9),
            Decimal(13),
            Decimal(6),
            Decimal(7),
            Decimal(600),
            utc("2024-03-04"),
            "1w",
        ),
        Bar(
            "AAA",
            Decimal(7),
            Decimal(9),
            Decimal(7),
            Decimal(8),
            Decimal(50),
            utc("2024-03-11"),
            "1w",
        ),
    ]


@given(
    count=st.integers(min_value=1, max_value=300),
    seed=st.integers(min_value=0, max_value=1000),
    target=st.sampled_from(["15m", "1h", "4h", "1d"]),
)
def test_resampling_keeps_the_range_and_the_volume_of_the_bars(count, seed, target):
    bars = list(random_walk(count, seed=seed, step=timedelta(minutes=5)))

    resampled = list(resample(bars, Interval.parse(target)))

    assert sum(b.volume for b in resampled) == sum(b.volume for b in bars)
    assert max(b.high for b in resampled) == max(b.high for b in bars)
    assert min(b.low for b in resampled) == min(b.low for b in bars)
    assert (resampled[0].open, resampled[-1].close) == (bars[0].open, bars[-1].close)
    assert [b.time for b in resampled] == sorted(
        {Interval.parse(target).bucket(b.time) for b in bars}
    )
