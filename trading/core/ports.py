"""Upstream: trading.apis.data, trading.apis.portfolio_verify, trading.livecore.bar_recorder, trading.livecore.datamanager, trading.management.commands.backtest, trading.management.commands.clickhouse_schema, trading.management.commands.export_trades, trading.management.commands.import_bars, trading.management.commands.portfolio_verify, trading.services.bar_imports, trading.services.data_health, trading.services.portfolio_verify, trading.services.storage, trading.services.trade_mirror, trading.services.twins, trading.storage.bar_files, trading.storage.clickhouse, trading.storage.clickhouse_bars, trading.storage.clickhouse_trades, trading.storage.sql_bars, trading.storage.sql_trades, trading.storage.statistics, trading.storage.stores, trading.storage.trade_csv
Downstream: trading.core.enums, trading.core.market
Role: the storage ports: abstract BarStore and TradeStore, the records they carry, and the error an unreachable store raises.

Standard library only: adapters (ClickHouse, the SQL database) live outside the core. Every
time range is ``[start, end)`` in UTC; ``None`` leaves that side open.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from trading.core.enums import Side
from trading.core.market import Bar

DAILY = "1d"


class StoreUnavailable(Exception):
    """A store cannot be reached (or is not set up); the message names the store and where."""

    def __init__(self, store: str, address: str, reason: str) -> None:
        super().__init__(f"{store} at {address} is unavailable: {reason}")
        self.store = store
        self.address = address
        self.reason = reason


@dataclass(frozen=True, slots=True)
class TradeRecord:
    """One fill as trade history keeps it (a copy of the system of record's fill)."""

    fill_id: str
    portfolio_id: str
    client_order_id: str
    symbol: str
    side: Side
    quantity: Decimal
    price: Decimal
    commission: Decimal
    executed_at: datetime


@dataclass(frozen=True, slots=True)
class SymbolTotals:
    """Sums over one portfolio's trades in one symbol: what cross-portfolio statistics need."""

    portfolio_id: str
    symbol: str
    trades: int
    bought: Decimal
    sold: Decimal
    bought_value: Decimal
    sold_value: Decimal
    commission: Decimal


@dataclass(frozen=True, slots=True)
class StoreCounts:
    """How many rows a store holds and the time of its newest one (None when empty)."""

    rows: int
    latest: datetime | None


class BarStore(ABC):
    """OHLCV bars keyed by (symbol, interval, time); writing a key again replaces the bar."""

    name: str

    @abstractmethod
    def write_bars(self, bars: Iterable[Bar]) -> int:
        """Store ``bars`` (one batch; ``interval`` None means daily); returns how many."""

    @abstractmethod
    def bars(
        self,
        symbol: str,
        start: datetime | None = None,
        end: datetime | None = None,
        interval: str = DAILY,
        limit: int | None = None,
    ) -> Iterator[Bar]:
        """The stored bars of ``symbol`` at ``interval`` in ``[start, end)``, oldest first."""

    @abstractmethod
    def intervals(self, symbol: str) -> list[str]:
        """The intervals stored for ``symbol``."""

    @abstractmethod
    def counts(self) -> StoreCounts:
        """Number of bars and the newest bar time (a store that deduplicates lazily may count
        a re-written bar twice until it does)."""


class TradeStore(ABC):
    """Trade history: fills by portfolio and execution time, each fill id at most once."""

    name: str

    @abstractmethod
    def write_trades(self, trades: Sequence[TradeRecord]) -> int:
        """Store ``trades`` (writing a fill id again changes nothing); returns how many."""

    @abstractmethod
    def trades(
        self,
        portfolio_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Iterator[TradeRecord]:
        """Trades in ``[start, end)``, of one portfolio or all, by execution time then fill id."""

    @abstractmethod
    def count_trades(
        self,
        portfolio_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        """How many trades :meth:`trades` would yield."""

    @abstractmethod
    def totals(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> list[SymbolTotals]:
        """Per (portfolio, symbol) sums over the trades in ``[start, end)``."""

    @abstractmethod
    def counts(self) -> StoreCounts:
        """Number of trades and the newest execution time."""
