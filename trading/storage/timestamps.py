"""Upstream: trading.storage.clickhouse_bars, trading.storage.clickhouse_trades
Downstream: (none)
Role: UTC datetimes to and from the epoch seconds ClickHouse DateTime columns hold, and the SQL of a [start, end) filter."""

import math
from datetime import UTC, datetime
from typing import Any

# DateTime is an unsigned 32-bit count of seconds.
_LAST_SECOND = 2**32 - 1
_MICROS = 1_000_000


def epoch_seconds(when: datetime) -> int:
    """Whole seconds since 1970 of an aware datetime; ValueError outside DateTime's range."""
    seconds = math.floor(when.timestamp())
    if not 0 <= seconds <= _LAST_SECOND:
        raise ValueError(f"time {when.isoformat()} is outside 1970-01-01 .. 2106-02-07")
    return seconds


def from_epoch(seconds: int, micros: int = 0) -> datetime:
    """The UTC datetime ``seconds`` (and ``micros``) after 1970."""
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=micros)


def time_range(
    column: str,
    start: datetime | None,
    end: datetime | None,
    params: dict[str, Any],
    micros_column: str | None = None,
) -> list[str]:
    """SQL conditions keeping rows in ``[start, end)``; parameters go into ``params``.

    ``column`` is a DateTime (whole seconds), ``micros_column`` the microseconds a row may
    add to it. Bounds are epoch numbers, never text (text is read in the server's time zone)
    and are clamped to DateTime's range.
    """
    conditions = []
    if start is not None:
        params["start_s"] = _clamp(math.floor(start.timestamp()))
        conditions.append(f"{column} >= toDateTime(%(start_s)s)")
    if end is not None:
        params["end_s"] = _clamp(math.ceil(end.timestamp()))
        conditions.append(f"{column} {'<=' if micros_column else '<'} toDateTime(%(end_s)s)")
    if micros_column is None:
        if start is not None and start.microsecond:
            # Whole-second rows: the first one inside the range is the next second.
            conditions[0] = f"{column} > toDateTime(%(start_s)s)"
        return conditions
    exact = f"(toUInt64({column}) * {_MICROS} + {micros_column})"
    if start is not None:
        params["start_us"] = _micros(start)
        conditions.append(f"{exact} >= %(start_us)s")
    if end is not None:
        params["end_us"] = _micros(end)
        conditions.append(f"{exact} < %(end_us)s")
    return conditions


def _micros(when: datetime) -> int:
    return max(0, math.floor(when.timestamp()) * _MICROS + when.microsecond)


def _clamp(seconds: int) -> int:
    return min(max(seconds, 0), _LAST_SECOND)
