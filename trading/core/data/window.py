"""Upstream: trading.management.commands.backtest, trading.services.replays
Downstream: trading.core.market
Role: restricts any stream of price updates to a time range without reading past its end."""

from collections.abc import Iterable, Iterator
from datetime import datetime

from trading.core.market import PriceUpdate


def between(
    updates: Iterable[PriceUpdate], start: datetime | None = None, end: datetime | None = None
) -> Iterator[PriceUpdate]:
    """Updates whose time lies in ``[start, end)`` (None: open on that side); stops reading
    at the first one at or past ``end`` (streams are in time order)."""
    for update in updates:
        if end is not None and update.time >= end:
            return
        if start is None or update.time >= start:
            yield update
