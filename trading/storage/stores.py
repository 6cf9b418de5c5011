"""Upstream: bench.feed_storage, trading.livecore.runtime, trading.services.bar_imports, trading.services.data_health, trading.services.replays, trading.services.storage, trading.services.trade_mirror
Downstream: trading.core.ports, trading.storage.clickhouse, trading.storage.clickhouse_bars, trading.storage.clickhouse_trades, trading.storage.sql_bars, trading.storage.sql_trades
Role: picks the configured BarStore and TradeStore: ClickHouse when CLICKHOUSE_URL is set, else the SQL database; and the SQL fallback for reads."""

from functools import lru_cache

from django.conf import settings

from trading.core.ports import BarStore, TradeStore
from trading.storage.clickhouse import ClickHouse
from trading.storage.clickhouse_bars import ClickHouseBarStore
from trading.storage.clickhouse_trades import ClickHouseTradeStore
from trading.storage.sql_bars import SqlBarStore
from trading.storage.sql_trades import SqlTradeStore

FALLBACK_SQL = "sql"


def clickhouse_configured() -> bool:
    """True when CLICKHOUSE_URL names a server (bars and trades then live there)."""
    return bool(settings.CLICKHOUSE_URL)


def clickhouse() -> ClickHouse:
    """The configured ClickHouse (its connections are kept per thread between calls)."""
    return _clickhouse(settings.CLICKHOUSE_URL)


@lru_cache(maxsize=4)
def _clickhouse(url: str) -> ClickHouse:
    return ClickHouse(url)


def bar_store() -> BarStore:
    """The configured BarStore; ``bar_store().bars(symbol, start, end)`` yields core Bars."""
    return ClickHouseBarStore(clickhouse()) if clickhouse_configured() else SqlBarStore()


def trade_store() -> TradeStore:
    """The configured TradeStore."""
    return ClickHouseTradeStore(clickhouse()) if clickhouse_configured() else SqlTradeStore()


def sql_fallback() -> bool:
    """True when reads may fall back to the SQL database while ClickHouse is unavailable
    (GINKGO_STORAGE_FALLBACK=sql)."""
    return clickhouse_configured() and (settings.GINKGO_STORAGE_FALLBACK == FALLBACK_SQL)


def sql_bar_store() -> BarStore:
    """The SQL database's bar store, whatever is configured."""
    return SqlBarStore()


def sql_trade_store() -> TradeStore:
    """The SQL database's fills as a trade store, whatever is configured."""
    return SqlTradeStore()
