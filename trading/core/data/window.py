"""Upstream: trading.management.commands.backtest
Downstream: trading.core.market
Role: restricts any stream of price updates to a date range without reading past its end."""

from collections.abc import Iterable, Iterator
from datetime import date

from trading.core.market import PriceUpdate


def between(
    updates: Iterable[PriceUpdate], start: date | None = None, end: date | None = None
) -> Iterator[PriceUpdate]:
    """Updates whose (UTC) date lies in ``[start, end]``; stops reading once past ``end``
    (streams are in time order)."""
    for update in updates:
        day = update.time.date()
        if end is not None and day > end:
            return
        if start is None or day >= start:
            yield update
