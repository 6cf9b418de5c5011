"""Upstream: (entry point: pytest)
Downstream: trading.core.data.csv_bars, trading.core.data.window, trading.core.errors, trading.core.testing.builders, trading.core.testing.random_walk
Role: the CSV bar reader: layouts, date and time formats, adjustment, streaming, and errors naming file and line."""

from decimal import Decimal
from pathlib import Path

import pytest

from trading.core.data.csv_bars import read_csv_bars
from trading.core.data.window import between
from trading.core.errors import DataError
from trading.core.testing.builders import utc
from trading.core.testing.random_walk import random_walk, write_bars_csv


def _csv(tmp_path: Path, text: str, name: str = "SPY.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reads_the_plain_layout_with_the_file_stem_as_symbol(tmp_path: Path) -> None:
    path = _csv(tmp_path, "Date,Open,High,Low,Close,Volume\n2024-01-02,10,12,9,11,1500\n")

    (item,) = read_csv_bars(path)

    assert (item.symbol, item.time) == ("SPY", utc("2024-01-02T00:00"))
    assert (item.open, item.high, item.low, item.close, item.volume) == (10, 12, 9, 11, 1500)


def test_column_order_and_case_do_not_matter(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "volume,CLOSE,low,High,open,date,OpenInterest\n100,11.5,9,12,10,20240102,7\n",
    )

    (item,) = read_csv_bars(path, "XYZ")

    assert (item.symbol, item.open, item.close, item.volume) == ("XYZ", 10, Decimal("11.5"), 100)
    assert item.time == utc("2024-01-02T00:00")


@pytest.mark.parametrize(("clock", "expected"), [("09:30:15", "09:30:15"), ("16:00", "16:00:00")])
def test_time_column_accepts_seconds_or_not(tmp_path: Path, clock: str, expected: str) -> None:
    path = _csv(tmp_path, f"Date,Time,Open,High,Low,Close,Volume\n2024-01-02,{clock},1,1,1,1,1\n")

    (item,) = read_csv_bars(path)

    assert item.time == utc(f"2024-01-02T{expected}")


def test_adjust_scales_prices_by_adjusted_close_over_close(tmp_path: Path) -> None:
    path = _csv(
        tmp_path, "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,20,24,18,22,11,500\n"
    )

    (raw,) = read_csv_bars(path)
    (adjusted,) = read_csv_bars(path, adjust=True)

    assert (raw.open, raw.close) == (20, 22)
    assert (adjusted.open, adjusted.high, adjusted.low, adjusted.close) == (10, 12, 9, 11)
    assert adjusted.volume == 500


def test_adjust_without_an_adjusted_column_changes_nothing(tmp_path: Path) -> None:
    path = _csv(tmp_path, "Date,Open,High,Low,Close,Volume\n2024-01-02,20,24,18,22,500\n")

    assert list(read_csv_bars(path, adjust=True)) == list(read_csv_bars(path))


def test_rows_are_streamed_one_at_a_time(tmp_path: Path) -> None:
    path = _csv(
        tmp_path, "Date,Open,High,Low,Close,Volume\n2024-01-02,1,1,1,1,1\n2024-01-03,x,1,1,1,1\n"
    )
    bars = read_csv_bars(path)

    first = next(bars)

    assert first.close == 1
    with pytest.raises(DataError, match=r"SPY\.csv:3: bad row"):
        next(bars)


def test_a_written_random_walk_reads_back_identically(tmp_path: Path) -> None:
    original = list(random_walk(50, seed=2, symbol="WALK"))

    again = list(read_csv_bars(write_bars_csv(tmp_path / "WALK.csv", original)))

    assert again == original


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"X.csv:1: empty file"),
        ("Date,Open,High,Low,Close,Volume,Colour\n", r"X.csv:1: unknown column 'Colour'"),
        ("Date,Open,Open,Low,Close,Volume\n", r"X.csv:1: duplicate column 'Open'"),
        ("Date,Open,High,Low,Close\n", r"X.csv:1: missing column\(s\) volume"),
        ("Date,Open,High,Low,Close,Volume\n2024-01-02,1,1,1\n", r"X.csv:2: bad row .*expected 6"),
        ("Date,Open,High,Low,Close,Volume\n2024-01-02,1,a,1,1,1\n", r"X.csv:2: bad row .*invalid"),
        ("Date,Open,High,Low,Close,Volume\n02/01/2024,1,1,1,1,1\n", r"X.csv:2: .*neither YYYY"),
        ("Date,Time,Open,High,Low,Close,Volume\n2024-01-02,9h,1,1,1,1,1\n", r"X.csv:2: .*HH:MM"),
        (
            "Date,Open,High,Low,Close,Volume\n2024-01-02,2,1,2,2,1\n",
            r"X.csv:2: .*high 1 is below low 2",
        ),
        (
            "Date,Open,High,Low,Close,Volume\n2024-01-03,1,1,1,1,1\n2024-01-02,1,1,1,1,1\n",
            r"X.csv:3: .*time 2024-01-02T00:00:00\+00:00 is not after 2024-01-03",
        ),
    ],
)
def test_problems_raise_data_error_naming_file_and_line(
    tmp_path: Path, text: str, message: str
) -> None:
    path = _csv(tmp_path, text, "X.csv")

    with pytest.raises(DataError, match=message):
        list(read_csv_bars(path))


def test_a_missing_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nope\.csv: cannot open"):
        list(read_csv_bars(tmp_path / "nope.csv"))


def test_between_keeps_start_inclusive_end_exclusive_and_stops_reading_at_the_end() -> None:
    source = random_walk(10)  # T0 = 2024-01-02, daily
    consumed = []

    def watched() -> object:
        for item in source:
            consumed.append(item)
            yield item

    kept = list(between(watched(), utc("2024-01-04"), utc("2024-01-07")))  # type: ignore[arg-type]

    assert [b.time.day for b in kept] == [4, 5, 6]
    assert len(consumed) == 6
