"""Upstream: bench.feed_storage, bench.storage, trading.management.commands.clickhouse_schema, trading.storage.clickhouse_bars, trading.storage.clickhouse_trades
Downstream: trading.storage.clickhouse
Role: the ClickHouse schema of bars and trade history, and its idempotent creation.

Plain MergeTree SQL that Debian's ClickHouse 18.16 runs and current releases still accept: no
DateTime64, no LowCardinality, no window functions. Money is exact: prices and commissions
``Decimal(18, 8)`` (the SQL database's 8 decimals, 10 integer digits), quantities and volumes
``Decimal(38, 8)`` (the SQL database's whole range). Both tables are ReplacingMergeTrees
partitioned by month and ordered by their natural key, so writing a row again (a re-import,
a mirror batch resent after a crash) never duplicates it once merged; queries deduplicate
(GROUP BY/argMax for bars, LIMIT 1 BY for trade lists, FINAL for trade sums) so answers are
exact before merges too.
"""

from trading.storage.clickhouse import ClickHouse

BARS = "bars"
TRADES = "trades"

# The bar interval is `timeframe`: INTERVAL is a keyword, and 18.16 writes its table metadata
# with the name unquoted, then cannot read it back when it restarts. imported_at (ns) decides
# which import of a bar wins. A symbol has ~21 daily bars a month: small index granules (256
# rows, 1024 for trades) keep a one-symbol range read from scanning thousands of other rows.
_TABLES = {
    BARS: """
        CREATE TABLE IF NOT EXISTS {database}.bars (
            symbol String,
            timeframe String,
            time DateTime('UTC'),
            open Decimal(18, 8),
            high Decimal(18, 8),
            low Decimal(18, 8),
            close Decimal(18, 8),
            volume Decimal(38, 8),
            imported_at UInt64
        ) ENGINE = ReplacingMergeTree(imported_at)
        PARTITION BY toYYYYMM(time)
        ORDER BY (symbol, timeframe, time)
        SETTINGS index_granularity = 256
    """,
    # DateTime holds whole seconds; executed_us keeps the fill's microseconds.
    TRADES: """
        CREATE TABLE IF NOT EXISTS {database}.trades (
            portfolio_id String,
            executed_at DateTime('UTC'),
            executed_us UInt32,
            fill_id String,
            client_order_id String,
            symbol String,
            side Enum8('buy' = 1, 'sell' = 2),
            quantity Decimal(38, 8),
            price Decimal(18, 8),
            commission Decimal(18, 8)
        ) ENGINE = ReplacingMergeTree()
        PARTITION BY toYYYYMM(executed_at)
        ORDER BY (portfolio_id, executed_at, executed_us, fill_id)
        SETTINGS index_granularity = 1024
    """,
}


def schema_create(url: str) -> dict[str, bool]:
    """Create the database of ``url`` and its tables where missing; maps each table to
    True when this call created it (False: it was already there). Safe to run again."""
    database = ClickHouse(url).database
    # Connected to "default": the target database may not exist yet.
    server = ClickHouse(url, database="default")
    server.execute(f"CREATE DATABASE IF NOT EXISTS {database}")
    existing = {
        name
        for (name,) in server.execute(
            "SELECT name FROM system.tables WHERE database = %(database)s", {"database": database}
        )
    }
    for ddl in _TABLES.values():
        server.execute(ddl.format(database=database))
    return {table: table not in existing for table in _TABLES}
