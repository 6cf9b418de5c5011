"""Upstream: (entry point: pytest)
Downstream: trading.core.backtest.engine, trading.core.config, trading.core.data.checks, trading.core.data.csv_bars, trading.core.errors, trading.core.market, trading.core.registry, trading.core.testing.builders, trading.core.testing.random_walk
Role: checked bars: the one rule for bars and ticks (sane prices and volume, increasing time), the CSV reader applying it (errors name file and line, or rows skipped), and history of any age, 150,000 daily bars from 1800 included."""

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.core.backtest.engine import BacktestEngine
from trading.core.config import PortfolioConfig
from trading.core.data.checks import UpdateChecker, bar_problem, update_problem
from trading.core.data.csv_bars import read_csv_bars
from trading.core.errors import DataError
from trading.core.market import Bar
from trading.core.registry import ComponentSpec
from trading.core.testing.builders import T0, bar, tick
from trading.core.testing.random_walk import random_walk, write_bars_csv

HEADER = "Date,Open,High,Low,Close,Volume\n"


def _bar(open_: str, high: str, low: str, close: str, volume: str = "1000") -> Bar:
    prices = (Decimal(open_), Decimal(high), Decimal(low), Decimal(close))
    return Bar("AAA", *prices, Decimal(volume), T0)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (("0", "0", "0", "0"), "open 0 is not above 0"),
        (("100", "101", "0", "100"), "low 0 is not above 0"),
        (("-5", "-4", "-6", "-5"), "open -5 is not above 0"),
        (("500", "101", "99", "100"), "open 500 is above high 101"),
        (("98", "101", "99", "100"), "open 98 is below low 99"),
        (("100", "101", "99", "102"), "close 102 is above high 101"),
        (("100", "101", "99", "98"), "close 98 is below low 99"),
        (("100", "99", "101", "100"), "high 99 is below low 101"),
        (("100", "101", "99", "NaN"), "close is not a finite number (NaN)"),
        (("Infinity", "101", "99", "100"), "open is not a finite number (Infinity)"),
        (("100", "-Infinity", "99", "100"), "high is not a finite number (-Infinity)"),
        (("100", "1e16", "99", "100"), "high 1E+16 is beyond 1e+15"),
        (("100", "101", "99", "100", "NaN"), "volume is not a finite number (NaN)"),
        (("100", "101", "99", "100", "-1"), "volume -1 is negative"),
    ],
)
def test_a_bad_bar_is_named_by_what_is_wrong(row: tuple[str, ...], problem: str) -> None:
    assert bar_problem(_bar(*row)) == problem


def test_a_sane_bar_passes_with_zero_volume_and_one_price_everywhere() -> None:
    assert bar_problem(_bar("100", "101", "99", "100.5")) is None
    assert bar_problem(_bar("7", "7", "7", "7", "0")) is None


def test_ticks_follow_the_same_rule() -> None:
    assert update_problem(tick("100.5", size=0)) is None
    assert update_problem(tick("0")) == "price 0 is not above 0"
    assert update_problem(tick("1", size="NaN")) == "size is not a finite number (NaN)"


def test_time_must_increase_per_symbol_and_a_refused_update_changes_nothing() -> None:
    checker = UpdateChecker()

    assert checker.problem(bar("10", time=T0 + timedelta(days=1))) is None
    assert checker.problem(bar("10", symbol="BBB", time=T0)) is None
    assert checker.problem(bar("0", time=T0 + timedelta(days=2))) == "open 0 is not above 0"
    assert checker.problem(bar("10", time=T0)) == (
        "time 2024-01-02T00:00:00+00:00 is not after 2024-01-03T00:00:00+00:00, "
        "the previous time of AAA"
    )
    assert checker.problem(bar("10", time=T0 + timedelta(days=2))) is None


prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**6), places=2)


@given(a=prices, b=prices, c=prices, d=prices, volume=st.integers(0, 10**9))
def test_any_bar_with_open_and_close_inside_its_range_passes(
    a: Decimal, b: Decimal, c: Decimal, d: Decimal, volume: int
) -> None:
    low, open_, close, high = sorted((a, b, c, d))
    sane = Bar("AAA", open_, high, low, close, Decimal(volume), T0)
    swapped = Bar("AAA", open_, low, high, close, Decimal(volume), T0)

    assert bar_problem(sane) is None
    assert (bar_problem(swapped) is None) == (low == high)


# --- the CSV reader -------------------------------------------------------------------------


def _csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "BAD.csv"
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows))
    return path


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2024-01-03,0,0,0,0,100", "BAD.csv:3: bad row '2024-01-03,0,0,0,0,100': open 0 is not"),
        ("2024-01-03,-5,-4,-6,-5,100", "BAD.csv:3: bad row .*: open -5 is not above 0"),
        ("2024-01-03,500,101,99,100,100", "BAD.csv:3: bad row .*: open 500 is above high 101"),
        ("2024-01-03,100,101,99,NaN,100", "BAD.csv:3: bad row .*: close is not a finite"),
        ("2024-01-03,Infinity,101,99,100,100", "BAD.csv:3: bad row .*: open is not a finite"),
        ("2024-01-02,100,101,99,100,100", "BAD.csv:3: .*is not after 2024-01-02"),
    ],
)
def test_the_reader_stops_at_a_bad_row_naming_file_line_and_problem(
    tmp_path: Path, row: str, message: str
) -> None:
    path = _csv(tmp_path, "2024-01-02,100,101,99,100,100", row)

    with pytest.raises(DataError, match=message):
        list(read_csv_bars(path))


def test_with_on_bad_the_reader_reports_bad_rows_and_keeps_the_good_ones(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "2024-01-02,100,101,99,100,100",
        "2024-01-03,500,101,99,100,100",
        "2024-01-02,100,101,99,100,100",
        "2024-01-04,100,101,99,100,100",
    )
    skipped: list[DataError] = []

    kept = list(read_csv_bars(path, on_bad=skipped.append))

    assert [b.time.day for b in kept] == [2, 4]
    assert [str(e).split(": bad row")[0][-5:] for e in skipped] == ["csv:3", "csv:4"]


def test_a_file_with_only_a_header_says_it_has_no_bars(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"BAD\.csv: no bars, only a header"):
        list(read_csv_bars(_csv(tmp_path)))


def test_dates_before_1970_down_to_year_1_are_read(tmp_path: Path) -> None:
    path = _csv(tmp_path, "0001-01-01,1,1,1,1,0", "1800-01-01,1,1,1,1,0", "1969-12-31,1,1,1,1,0")

    times = [b.time for b in read_csv_bars(path)]

    assert [t.date().isoformat() for t in times] == ["0001-01-01", "1800-01-01", "1969-12-31"]


def test_a_backtest_of_150000_daily_bars_from_1800_runs(tmp_path: Path) -> None:
    start = datetime(1800, 1, 1, tzinfo=UTC)
    path = write_bars_csv(tmp_path / "INDEX.csv", random_walk(150_000, start=start, seed=9))
    config = PortfolioConfig(
        "bt", ("INDEX",), Decimal(100_000), ComponentSpec("sma_cross", {"period": 50, "size": 10})
    )

    began = time.perf_counter()
    result = BacktestEngine(config).run(read_csv_bars(path))
    elapsed = time.perf_counter() - began

    assert (result.bars, result.start, result.end) == (
        150_000,
        start,
        start + timedelta(days=149_999),
    )
    assert result.trade_count > 100
    assert result.cash >= 0
    print(f"150,000 daily bars from 1800 read and backtested in {elapsed:.1f} s")
