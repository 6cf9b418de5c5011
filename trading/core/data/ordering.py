"""Upstream: trading.livecore.sources, trading.management.commands.backtest, trading.services.replays
Downstream: trading.core.market
Role: the one order of price updates the backtest and every live portfolio see: by event time, then by symbol; per-symbol streams merged into it."""

import heapq
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TypeVar

from trading.core.market import Bar, PriceUpdate, Tick

Update = TypeVar("Update", bound=Bar | Tick)


def event_key(update: PriceUpdate) -> tuple[datetime, str]:
    """Where ``update`` stands in the event order: its event time, then its symbol, so the
    bars of several symbols at one time always come in the same (alphabetical) order."""
    return update.time, update.symbol


def merge_streams(streams: Iterable[Iterable[Update]]) -> Iterator[Update]:
    """Per-symbol streams, each in time order, merged lazily into the event order."""
    return heapq.merge(*streams, key=event_key)
