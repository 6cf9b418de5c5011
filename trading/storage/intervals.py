"""Upstream: trading.services.bar_imports, trading.services.storage
Downstream: trading.core.market
Role: bar intervals (1m, 15m, 1h, 1d, 1w, 1mo, ...): parsing, which stored interval can build a requested one, and resampling a bar stream.

Buckets are aligned in UTC: minutes, hours and days to the epoch (so to midnight), weeks
to Monday, months to the 1st. A resampled bar is stamped with its bucket's start.
"""

import calendar
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from trading.core.market import Bar

_PATTERN = re.compile(r"^([1-9][0-9]{0,3})(mo|m|h|d|w)$")
_SECONDS = {"m": 60, "h": 3600, "d": 86_400, "w": 7 * 86_400, "mo": 30 * 86_400}
_DAY = 86_400
# 1970-01-01 was a Thursday: day number + 3 counts from a Monday.
_MONDAY_SHIFT = 3


@dataclass(frozen=True, slots=True)
class Interval:
    """``count`` x ``unit``; unit is m, h, d, w or mo."""

    count: int
    unit: str

    @classmethod
    def parse(cls, text: str) -> "Interval":
        """``Interval.parse("15m")``; ValueError for anything else."""
        match = _PATTERN.match(text.strip())
        if match is None:
            raise ValueError(f"interval {text!r} is not like 1m, 15m, 1h, 1d, 1w or 1mo")
        return cls(int(match[1]), match[2])

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"

    @property
    def seconds(self) -> int:
        """Length in seconds (a month counts as 30 days, for comparisons only)."""
        return self.count * _SECONDS[self.unit]

    def builds(self, target: "Interval") -> bool:
        """True when bars of this interval aggregate exactly into ``target``'s buckets."""
        if target.unit == "mo":
            if self.unit == "mo":
                return target.count % self.count == 0
            return _DAY % self.seconds == 0
        return self.unit != "mo" and target.seconds % self.seconds == 0

    def bucket(self, when: datetime) -> datetime:
        """Start of the bucket holding ``when``."""
        if self.unit == "mo":
            index = when.year * 12 + when.month - 1
            index -= index % self.count
            return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)
        seconds = calendar.timegm(when.utctimetuple())
        if self.unit == "w":
            week = (seconds // _DAY + _MONDAY_SHIFT) // 7
            week -= week % self.count
            return datetime.fromtimestamp((week * 7 - _MONDAY_SHIFT) * _DAY, UTC)
        return datetime.fromtimestamp(seconds - seconds % self.seconds, UTC)


def source_interval(stored: Iterable[str], target: Interval) -> str | None:
    """The stored interval to answer ``target`` from: itself if stored, else the coarsest
    one that builds it; None when none does."""
    parsed = []
    for text in stored:
        try:
            parsed.append(Interval.parse(text))
        except ValueError:
            continue
    if target in parsed:
        return str(target)
    builders = [interval for interval in parsed if interval.builds(target)]
    return str(max(builders, key=lambda interval: interval.seconds)) if builders else None


def resample(bars: Iterable[Bar], target: Interval) -> Iterator[Bar]:
    """Bars (one symbol, oldest first) aggregated into ``target`` buckets: first open,
    highest high, lowest low, last close, summed volume."""
    label = str(target)
    current: Bar | None = None
    for bar in bars:
        start = target.bucket(bar.time)
        if current is not None and current.time == start:
            current = Bar(
                current.symbol,
                current.open,
                max(current.high, bar.high),
                min(current.low, bar.low),
                bar.close,
                current.volume + bar.volume,
                start,
                label,
            )
            continue
        if current is not None:
            yield current
        current = Bar(bar.symbol, bar.open, bar.high, bar.low, bar.close, bar.volume, start, label)
    if current is not None:
        yield current
