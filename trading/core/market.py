"""Upstream: bench.storage, trading.bus.mapping, trading.core.backtest.engine, trading.core.data.checks, trading.core.data.csv_bars, trading.core.data.ordering, trading.core.data.window, trading.core.matching.engine, trading.core.matching.rules, trading.core.pipeline, trading.core.ports, trading.core.risk.base, trading.core.risk.engine, trading.core.risk.rules, trading.core.strategies.base, trading.core.strategies.builtin, trading.core.testing.builders, trading.core.testing.doubles, trading.core.testing.harness, trading.core.testing.random_walk, trading.livecore.bar_recorder, trading.livecore.datamanager, trading.livecore.engine, trading.livecore.gateway, trading.livecore.marks, trading.livecore.paper, trading.livecore.sources, trading.livecore.window, trading.management.commands.backtest, trading.node.processor, trading.node.sequencer, trading.services.replays, trading.services.storage, trading.storage.bar_files, trading.storage.clickhouse_bars, trading.storage.intervals, trading.storage.sql_bars
Downstream: (none)
Role: market data events: OHLCV bars and trade ticks (immutable, Decimal prices, UTC times)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Bar:
    """One OHLCV bar; ``time`` identifies the bar and orders key on it (never the wall clock)."""

    symbol: str
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    time: datetime
    interval: str | None = None


@dataclass(frozen=True, slots=True)
class Tick:
    """One trade print: ``size`` units traded at ``price``."""

    symbol: str
    price: Decimal
    size: Decimal
    time: datetime


PriceUpdate = Bar | Tick


def last_price(update: PriceUpdate) -> Decimal:
    """The price an update marks positions at: a bar's close or a tick's price."""
    if isinstance(update, Bar):
        return update.close
    return update.price
