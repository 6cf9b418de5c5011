"""Upstream: bench.backtest_speed, trading.livecore.sources, trading.management.commands.backtest, trading.services.backtests, trading.services.demo, trading.storage.bar_files
Downstream: trading.core.data.checks, trading.core.errors, trading.core.market
Role: streams OHLCV bars from CSV files (Yahoo/backtrader-like layouts), with optional Adj Close adjustment."""

import csv
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from trading.core.data.checks import UpdateChecker, bar_problem
from trading.core.errors import DataError
from trading.core.market import Bar

# Header aliases, compared lower-cased with spaces/underscores removed.
_COLUMNS = {
    "date": "date",
    "time": "time",
    "open": "open",
    "high": "high",
    "low": "low",
    "close": "close",
    "adjclose": "adj_close",
    "volume": "volume",
    "openinterest": "open_interest",
}
_REQUIRED = ("date", "open", "high", "low", "close", "volume")
# Adjusted prices get a fixed number of decimals instead of 28 significant digits.
_ADJUSTED_QUANTUM = Decimal("1e-6")


def read_csv_bars(
    path: str | Path,
    symbol: str | None = None,
    *,
    adjust: bool = False,
    interval: str | None = None,
    on_bad: Callable[[DataError], None] | None = None,
) -> Iterator[Bar]:
    """Yield the bars of a CSV file one row at a time (large files are never loaded whole).

    Header: ``Date[,Time],Open,High,Low,Close[,Adj Close],Volume[,OpenInterest]`` in any
    order and case. Dates are ``YYYY-MM-DD`` or ``YYYYMMDD`` (any year from 1), times
    ``HH:MM[:SS]``, all UTC. With ``adjust`` and an Adj Close column, open/high/low/close
    are scaled by Adj Close / Close. ``symbol`` defaults to the file name without extension.
    Every bar passes the core's rule (trading.core.data.checks: sane prices and volume,
    strictly increasing time). Any problem raises DataError naming the file and line; with
    ``on_bad``, a bad row is handed to it as that error and skipped instead. A file without
    a single row of data is an error too.
    """
    path = Path(path)
    name = symbol or path.stem
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise DataError(f"{path}: cannot open: {exc.strerror or exc}") from None
    with handle:
        rows = csv.reader(handle)
        layout = _layout(path, next(rows, None))
        yield from _bars(path, name, rows, layout, adjust, interval, on_bad)


def _layout(path: Path, header: list[str] | None) -> dict[str, int]:
    if not header:
        raise DataError(f"{path}:1: empty file, expected a header row")
    layout: dict[str, int] = {}
    for index, raw in enumerate(header):
        key = _COLUMNS.get(raw.strip().lower().replace(" ", "").replace("_", ""))
        if key is None or key in layout:
            problem = "unknown" if key is None else "duplicate"
            raise DataError(
                f"{path}:1: {problem} column '{raw}'; expected "
                "Date[,Time],Open,High,Low,Close[,Adj Close],Volume[,OpenInterest]"
            )
        layout[key] = index
    missing = [column for column in _REQUIRED if column not in layout]
    if missing:
        raise DataError(f"{path}:1: missing column(s) {', '.join(missing)}")
    return layout


def _bars(
    path: Path,
    symbol: str,
    rows: Iterator[list[str]],
    layout: dict[str, int],
    adjust: bool,
    interval: str | None,
    on_bad: Callable[[DataError], None] | None,
) -> Iterator[Bar]:
    width = len(layout)
    i_date, i_time = layout["date"], layout.get("time")
    i_open, i_high, i_low, i_close = layout["open"], layout["high"], layout["low"], layout["close"]
    i_volume, i_adjusted = layout["volume"], layout.get("adj_close") if adjust else None
    check = UpdateChecker().problem
    rows_seen = 0
    for line, row in enumerate(rows, start=2):
        if not row:
            continue
        rows_seen += 1
        try:
            if len(row) != width:
                raise ValueError(f"expected {width} fields, got {len(row)}")
            time = _parse_time(row[i_date], row[i_time] if i_time is not None else None)
            bar = Bar(
                symbol,
                Decimal(row[i_open]),
                Decimal(row[i_high]),
                Decimal(row[i_low]),
                Decimal(row[i_close]),
                Decimal(row[i_volume]),
                time,
                interval,
            )
            if i_adjusted is not None:
                # The row as written is checked first: the adjustment divides by its close.
                _refuse(bar_problem(bar))
                bar = _adjusted(bar, Decimal(row[i_adjusted]))
            _refuse(check(bar))
        except (ValueError, ArithmeticError) as exc:
            # Decimal's own errors (bad text, NaN compared) have no useful message.
            detail = str(exc) if isinstance(exc, ValueError) else "invalid number"
            error = DataError(f"{path}:{line}: bad row {','.join(row)!r}: {detail}")
            if on_bad is None:
                raise error from None
            on_bad(error)
            continue
        yield bar
    if not rows_seen:
        raise DataError(f"{path}: no bars, only a header")


def _refuse(problem: str | None) -> None:
    if problem is not None:
        raise ValueError(problem)


def _parse_time(day: str, clock: str | None) -> datetime:
    year, month, date_of_month = _parse_day(day)
    hour, minute, second = _parse_clock(clock) if clock is not None else (0, 0, 0)
    return datetime(year, month, date_of_month, hour, minute, second, tzinfo=UTC)


# Intraday files repeat each date (and each time of day) many times: parse every text once.
@lru_cache(maxsize=8192)
def _parse_day(text: str) -> tuple[int, int, int]:
    day = text.strip()
    if len(day) == 10 and day[4] == "-" and day[7] == "-":
        digits = day[:4] + day[5:7] + day[8:]
    elif len(day) == 8:
        digits = day
    else:
        digits = ""
    if not digits.isdigit():
        raise ValueError(f"date '{text}' is neither YYYY-MM-DD nor YYYYMMDD")
    return int(digits[:4]), int(digits[4:6]), int(digits[6:])


@lru_cache(maxsize=8192)
def _parse_clock(text: str) -> tuple[int, int, int]:
    parts = text.strip().split(":")
    if len(parts) not in (2, 3) or not all(len(p) == 2 and p.isdigit() for p in parts):
        raise ValueError(f"time '{text}' is neither HH:MM:SS nor HH:MM")
    hour, minute, *rest = (int(p) for p in parts)
    return hour, minute, rest[0] if rest else 0


def _adjusted(bar: Bar, adjusted_close: Decimal) -> Bar:
    factor = adjusted_close / bar.close
    o, h, low, c = (
        (p * factor).quantize(_ADJUSTED_QUANTUM) for p in (bar.open, bar.high, bar.low, bar.close)
    )
    return Bar(bar.symbol, o, h, low, c, bar.volume, bar.time, bar.interval)
