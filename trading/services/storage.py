"""Upstream: trading.apis.data, trading.management.commands.export_trades
Downstream: trading.core.market, trading.core.ports, trading.storage.intervals, trading.storage.statistics, trading.storage.stores
Role: reads of the cold tier for the API and commands: bars (resampled), trade history and cross-portfolio statistics, with the SQL fallback while ClickHouse is down."""

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import TypeVar

from django.core.exceptions import ValidationError

from trading.core.market import Bar
from trading.core.ports import BarStore, StoreUnavailable, TradeRecord, TradeStore
from trading.storage.intervals import Interval, resample, source_interval
from trading.storage.statistics import TradeStatistics, trade_statistics
from trading.storage.stores import (
    bar_store,
    sql_bar_store,
    sql_fallback,
    sql_trade_store,
    trade_store,
)

logger = logging.getLogger(__name__)

# One answer never holds more than this; a wider request asks for a narrower range.
MAX_SOURCE_BARS = 500_000
MAX_TRADES = 100_000

S = TypeVar("S", BarStore, TradeStore)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class BarSeries:
    """Bars of one symbol at ``interval``, built from stored ``source_interval`` bars."""

    store: str
    symbol: str
    interval: str
    source_interval: str | None
    bars: list[Bar]


@dataclass(frozen=True, slots=True)
class TradeHistory:
    store: str
    trades: list[TradeRecord]


@dataclass(frozen=True, slots=True)
class StatisticsReport:
    store: str
    statistics: TradeStatistics


def bar_series(
    *, symbol: str, interval: str, start: datetime | None = None, end: datetime | None = None
) -> BarSeries:
    """The symbol's bars in ``[start, end)`` at ``interval``: stored ones as they are, or
    resampled from the coarsest stored interval that builds it (e.g. 1w from 1d, 15m from
    5m). No such interval: an empty series. Raises ValidationError for a bad interval or
    a range of more than MAX_SOURCE_BARS bars, StoreUnavailable when no store answers."""
    try:
        target = Interval.parse(interval)
    except ValueError as exc:
        raise ValidationError({"interval": [str(exc)]}) from None

    def read(store: BarStore) -> BarSeries:
        source = source_interval(store.intervals(symbol), target)
        if source is None:
            return BarSeries(store.name, symbol, str(target), None, [])
        stored = _capped(
            store.bars(symbol, start, end, source, limit=MAX_SOURCE_BARS + 1),
            MAX_SOURCE_BARS,
            "bars",
        )
        bars = stored if source == str(target) else list(resample(stored, target))
        return BarSeries(store.name, symbol, str(target), source, bars)

    return _read(bar_store(), sql_bar_store, read)


def trade_history(
    *, portfolio_id: str, start: datetime | None = None, end: datetime | None = None
) -> TradeHistory:
    """The portfolio's trades in ``[start, end)`` by execution time (at most MAX_TRADES)."""

    def read(store: TradeStore) -> TradeHistory:
        trades = _capped(store.trades(portfolio_id, start, end), MAX_TRADES, "trades")
        return TradeHistory(store.name, trades)

    return _read(trade_store(), sql_trade_store, read)


def trade_report(*, start: datetime | None = None, end: datetime | None = None) -> StatisticsReport:
    """Trades, turnover, commissions and realised P&L per portfolio and in total."""

    def read(store: TradeStore) -> StatisticsReport:
        return StatisticsReport(store.name, trade_statistics(store.totals(start, end)))

    return _read(trade_store(), sql_trade_store, read)


@dataclass(frozen=True, slots=True)
class TradeSource:
    """Where to stream a range of trades from, and how many there are."""

    store: TradeStore
    total: int


def trade_source(
    *, portfolio_id: str | None = None, start: datetime | None = None, end: datetime | None = None
) -> TradeSource:
    """The trade store that answers for ``[start, end)`` (the SQL fallback if ClickHouse is
    down and that is configured), with the number of trades it holds there."""

    def read(store: TradeStore) -> TradeSource:
        return TradeSource(store, store.count_trades(portfolio_id, start, end))

    return _read(trade_store(), sql_trade_store, read)


def _read(primary: S, fallback: Callable[[], S], read: Callable[[S], T]) -> T:
    try:
        return read(primary)
    except StoreUnavailable as exc:
        if not sql_fallback():
            raise
        logger.warning("%s; answering from the SQL database", exc)
    return read(fallback())


def _capped(rows: Iterator[T], cap: int, what: str) -> list[T]:
    taken = list(islice(rows, cap + 1))
    if len(taken) > cap:
        raise ValidationError(f"more than {cap:,} {what} in the range: narrow it")
    return taken
