"""Upstream: (entry point: python -m bench.storage)
Downstream: bench.scratch, ginkgo_site.devstack, trading.core.accounting.portfolio, trading.core.enums, trading.core.market, trading.core.orders.events, trading.models, trading.redis_store, trading.services.hot_positions, trading.services.trade_mirror, trading.storage.clickhouse, trading.storage.clickhouse_bars, trading.storage.clickhouse_trades, trading.storage.hot_positions, trading.storage.schema, trading.storage.sql_bars, trading.storage.sql_trades, trading.storage.statistics
Role: benchmark of the storage tiers: bar import rate, 60 days of bars, a year of trades, cross-portfolio stats, a hot position read; ClickHouse and the SQL fallback.

Generates SYMBOLS x DAYS daily bars (default 5,000 x 1,250 = 6.25 M, in batches of a few
trading days so memory stays flat) and TRADES fills of PORTFOLIOS portfolios. The fills go to
a scratch PostgreSQL database ``ginkgo_bench_<pid>`` (created on BENCH_POSTGRES_URL, default
postgres://root@127.0.0.1:5432/postgres, and dropped at the end) and reach ClickHouse through
the trade mirror. ClickHouse is spawned in a temp dir unless CLICKHOUSE_URL is set (then a
scratch database on it is used and dropped). Redis is REDIS_URL (default the machine's), under
a key prefix of its own. Read figures are medians of --runs runs.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

# Run as a script from anywhere: the repository root must be importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scratch import delete_keys, django_setup, scratch_database

FIRST_DAY = date(2020, 1, 1)
SYMBOLS_PER_PORTFOLIO = 20
POSITIONS_IN_HOT_SNAPSHOT = 20


@contextmanager
def scratch_clickhouse(workdir: Path) -> Iterator[str]:
    """CLICKHOUSE_URL of a scratch database: on the given server, else on one spawned here."""
    from ginkgo_site.devstack import start_clickhouse
    from trading.storage.clickhouse import ClickHouse

    given = os.environ.get("CLICKHOUSE_URL")
    handle = None if given else start_clickhouse(workdir / "clickhouse")
    server_url = given or handle.url  # type: ignore[union-attr]
    name = f"ginkgo_bench_{os.getpid()}"
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        ClickHouse(server_url, database="default").execute(f"DROP DATABASE IF EXISTS {name}")
        if handle is not None:
            handle.stop()


def trading_days(count: int) -> list[datetime]:
    """``count`` weekdays from 2020-01-01, as UTC midnights."""
    days: list[datetime] = []
    day = FIRST_DAY
    while len(days) < count:
        if day.weekday() < 5:
            days.append(datetime(day.year, day.month, day.day, tzinfo=UTC))
        day += timedelta(days=1)
    return days


def symbol_name(index: int) -> str:
    return f"S{index:04d}"


def generated_bars(symbols: int, days: list[datetime], days_per_batch: int) -> Iterator[list[Any]]:
    """Batches of bars, all symbols for a few days each (so a batch stays in one or two
    monthly partitions); prices are a seeded random walk in cents."""
    from trading.core.market import Bar

    rng = random.Random(1)
    closes = [rng.randint(1000, 50000) for _ in range(symbols)]
    names = [symbol_name(index) for index in range(symbols)]
    for first in range(0, len(days), days_per_batch):
        batch = []
        for day in days[first : first + days_per_batch]:
            for index in range(symbols):
                open_ = closes[index]
                close = closes[index] = max(100, open_ + rng.randint(-60, 60))
                high = max(open_, close) + rng.randint(0, 30)
                low = max(1, min(open_, close) - rng.randint(0, 30))
                batch.append(
                    Bar(
                        names[index],
                        Decimal(open_).scaleb(-2),
                        Decimal(high).scaleb(-2),
                        Decimal(low).scaleb(-2),
                        Decimal(close).scaleb(-2),
                        Decimal(rng.randint(1000, 5_000_000)),
                        day,
                        "1d",
                    )
                )
        yield batch


def timed_import(store: Any, batches: Iterator[list[Any]], label: str) -> tuple[int, float]:
    """Rows written and seconds spent writing them (generation is not timed)."""
    rows, spent = 0, 0.0
    reported = time.monotonic()
    for batch in batches:
        started = time.perf_counter()
        rows += store.write_bars(batch)
        spent += time.perf_counter() - started
        if time.monotonic() - reported >= 10:
            reported = time.monotonic()
            print(f"  {label}: {rows:,} rows, {rows / spent:,.0f} rows/s", flush=True)
    return rows, spent


def fills_create(portfolios: int, trades: int, days: list[datetime]) -> None:
    """``trades`` orders and fills spread over the portfolios and the days (bulk, untimed)."""
    from trading import models

    rng = random.Random(2)
    models.Portfolio.objects.bulk_create(
        models.Portfolio(
            portfolio_id=f"P{p:03d}",
            name=f"P{p:03d}",
            symbols=[
                symbol_name(p * SYMBOLS_PER_PORTFOLIO + s) for s in range(SYMBOLS_PER_PORTFOLIO)
            ],
            initial_capital=Decimal(10**7),
            strategy={"name": "sma_cross", "params": {}},
        )
        for p in range(portfolios)
    )
    batch = 10_000
    for first in range(0, trades, batch):
        orders, fills = [], []
        for number in range(first, min(first + batch, trades)):
            owner = rng.randrange(portfolios)
            portfolio = f"P{owner:03d}"
            # Time-ordered, as fills are recorded: each mirror batch lands in a month or two.
            at = days[number * len(days) // trades] + timedelta(
                hours=14, microseconds=rng.randrange(10**6)
            )
            symbol = symbol_name(
                owner * SYMBOLS_PER_PORTFOLIO + rng.randrange(SYMBOLS_PER_PORTFOLIO)
            )
            side = "buy" if rng.random() < 0.5 else "sell"
            quantity = Decimal(rng.randint(1, 100))
            price = Decimal(rng.randint(1000, 50000)).scaleb(-2)
            order_id = f"{portfolio}-1-{number}"
            orders.append(
                models.Order(
                    client_order_id=order_id, portfolio_id=portfolio, symbol=symbol, side=side,
                    order_type="market", quantity=quantity, time_in_force="day", status="filled",
                    filled_quantity=quantity, average_price=price, created_at=at,
                )
            )  # fmt: skip
            fills.append(
                models.Fill(
                    fill_id=f"F{number:07d}", order_id=order_id, portfolio_id=portfolio,
                    symbol=symbol, side=side, quantity=quantity, price=price,
                    commission=Decimal("1.25"), executed_at=at,
                )
            )  # fmt: skip
        models.Order.objects.bulk_create(orders)
        models.Fill.objects.bulk_create(fills)


def median_ms(runs: int, call: Callable[[int], object]) -> float:
    """Median wall time of ``call(run)`` in milliseconds, after one untimed warm-up."""
    call(-1)
    times = []
    for run in range(runs):
        started = time.perf_counter()
        call(run)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


class Report:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, what: str, store: str, figure: str, target: str = "") -> None:
        self.rows.append((what, store, figure, target))
        print(
            f"  {what} [{store}]: {figure}" + (f"  (target {target})" if target else ""), flush=True
        )

    def print(self) -> None:
        header = ("measure", "store", "figure", "target")
        widths = [max(len(r[i]) for r in [header, *self.rows]) for i in range(4)]
        for row in [header, tuple("-" * w for w in widths), *self.rows]:
            print(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )


def bars_ms(store: Any, days: list[datetime], symbols: int, runs: int) -> str:
    """Median time to read 60 trading days of bars of a random symbol."""
    rng = random.Random(3)

    def sixty_days(run: int) -> None:
        first = rng.randrange(len(days) - 60)
        symbol = symbol_name(rng.randrange(symbols))
        assert len(list(store.bars(symbol, days[first], days[first + 60]))) == 60

    return f"{median_ms(runs, sixty_days):.2f} ms"


def trades_ms(store: Any, days: list[datetime], portfolios: int, runs: int) -> str:
    """Median time to read one calendar year of a random portfolio's trades."""
    rng = random.Random(4)
    years = range(FIRST_DAY.year, FIRST_DAY.year + max(1, len(days) // 261))

    def one_year(run: int) -> None:
        start = datetime(rng.choice(years), 1, 1, tzinfo=UTC)
        portfolio = f"P{rng.randrange(portfolios):03d}"
        list(store.trades(portfolio, start, start.replace(year=start.year + 1)))

    return f"{median_ms(runs, one_year):.2f} ms"


def stats_ms(store: Any, runs: int) -> str:
    """Median time of the cross-portfolio statistics."""
    from trading.storage.statistics import trade_statistics

    return f"{median_ms(runs, lambda run: trade_statistics(store.totals())):.1f} ms"


def clickhouse_figures(
    report: Report, args: argparse.Namespace, days: list[datetime], url: str
) -> None:
    from trading.services.trade_mirror import trade_mirror_run
    from trading.storage.clickhouse import ClickHouse
    from trading.storage.clickhouse_bars import ClickHouseBarStore
    from trading.storage.clickhouse_trades import ClickHouseTradeStore
    from trading.storage.schema import schema_create

    schema_create(url)
    clickhouse = ClickHouse(url)
    bars = ClickHouseBarStore(clickhouse)
    total = args.symbols * len(days)
    print(f"ClickHouse: importing {total:,} bars...", flush=True)
    rows, spent = timed_import(
        bars, generated_bars(args.symbols, days, args.batch_days), "clickhouse"
    )
    report.add(f"import {rows:,} bars", "clickhouse", f"{rows / spent:,.0f} rows/s ({spent:.0f} s)")
    trades = ClickHouseTradeStore(clickhouse)
    started = time.perf_counter()
    mirrored = trade_mirror_run(settle=timedelta(0), store=trades)
    spent = time.perf_counter() - started
    report.add(
        f"mirror {mirrored.copied:,} fills SQL -> ClickHouse",
        "clickhouse",
        f"{mirrored.copied / spent:,.0f} rows/s",
    )
    parts = _merges_settled(clickhouse)
    report.add("active parts after background merges", "clickhouse", parts)
    # Two exact readings of the ReplacingMergeTree before merges (see ClickHouseBarStore).
    for dedup in ("final", "group"):
        reader = ClickHouseBarStore(clickhouse, dedup)
        report.add(
            "60 days of bars, one symbol",
            f"clickhouse {dedup}",
            bars_ms(reader, days, args.symbols, args.runs),
            "5 ms",
        )
    report.add(
        "one year of trades, one portfolio",
        "clickhouse",
        trades_ms(trades, days, args.portfolios, args.runs),
        "30 ms",
    )
    report.add(
        f"cross-portfolio stats ({args.trades:,} trades)",
        "clickhouse",
        stats_ms(trades, max(3, args.runs // 3)),
        "100 ms",
    )
    started = time.perf_counter()
    counted = bars.counts().rows
    report.add(
        "count all bars (data_health)",
        "clickhouse",
        f"{(time.perf_counter() - started) * 1000:.1f} ms ({counted:,} rows)",
    )


def _merges_settled(clickhouse: Any, timeout: float = 120.0) -> str:
    """Wait (bounded) for ClickHouse's background merges of the load; the tables' part counts."""
    deadline = time.monotonic() + timeout
    database = {"database": clickhouse.database}
    while time.monotonic() < deadline:
        ((running,),) = clickhouse.execute(
            "SELECT count() FROM system.merges WHERE database = %(database)s", database
        )
        if not running:
            break
        time.sleep(1.0)
    rows = clickhouse.execute(
        "SELECT table, count(), uniqExact(partition) FROM system.parts"
        " WHERE database = %(database)s AND active GROUP BY table ORDER BY table",
        database,
    )
    return ", ".join(
        f"{table} {parts} in {partitions} partitions" for table, parts, partitions in rows
    )


def sql_figures(report: Report, args: argparse.Namespace, days: list[datetime]) -> None:
    from trading.services.hot_positions import positions_from_database
    from trading.storage.sql_bars import SqlBarStore
    from trading.storage.sql_trades import SqlTradeStore

    bars = SqlBarStore()
    total = args.sql_symbols * len(days)
    print(f"PostgreSQL: importing {total:,} bars...", flush=True)
    rows, spent = timed_import(
        bars, generated_bars(args.sql_symbols, days, args.batch_days), "postgresql"
    )
    report.add(f"import {rows:,} bars", "postgresql", f"{rows / spent:,.0f} rows/s ({spent:.0f} s)")
    report.add(
        "60 days of bars, one symbol",
        "postgresql",
        bars_ms(bars, days, args.sql_symbols, args.runs),
        "5 ms",
    )
    report.add(
        "one year of trades, one portfolio",
        "postgresql",
        trades_ms(SqlTradeStore(), days, args.portfolios, args.runs),
        "30 ms",
    )
    report.add(
        f"cross-portfolio stats ({args.trades:,} trades)",
        "postgresql",
        stats_ms(SqlTradeStore(), max(3, args.runs // 3)),
        "100 ms",
    )
    rebuild = median_ms(
        max(3, args.runs // 3), lambda run: positions_from_database(portfolio_id="P000")
    )
    report.add(
        f"positions rebuilt from {args.trades // args.portfolios:,} fills (Redis fallback)",
        "postgresql",
        f"{rebuild:.1f} ms",
    )


def redis_figures(report: Report, args: argparse.Namespace) -> None:
    from trading.core.accounting.portfolio import Portfolio as Ledger
    from trading.core.enums import Side
    from trading.core.orders.events import Fill
    from trading.services.hot_positions import hot_positions_read, hot_positions_write
    from trading.storage.hot_positions import PositionsSnapshot

    ledger = Ledger(Decimal(10**6))
    for index in range(POSITIONS_IN_HOT_SNAPSHOT):
        ledger.apply_fill(
            Fill(
                f"F{index}",
                f"O{index}",
                symbol_name(index),
                Side.BUY,
                Decimal(10),
                Decimal("101.25"),
                Decimal(1),
                datetime.now(UTC),
            )
        )
    hot_positions_write(
        portfolio_id="HOT",
        snapshot=PositionsSnapshot.of(ledger, fills=POSITIONS_IN_HOT_SNAPSHOT, as_of=None),
    )
    assert hot_positions_read(portfolio_id="HOT").source == "redis"
    read = median_ms(args.runs * 50, lambda run: hot_positions_read(portfolio_id="HOT"))
    report.add(
        f"hot positions read ({POSITIONS_IN_HOT_SNAPSHOT} positions)",
        "redis",
        f"{read:.3f} ms",
        "0.3 ms",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[2])
    parser.add_argument("--symbols", type=int, default=5000, help="symbols in ClickHouse")
    parser.add_argument("--days", type=int, default=1250, help="trading days per symbol")
    parser.add_argument("--sql-symbols", type=int, default=1000, help="symbols in PostgreSQL")
    parser.add_argument("--trades", type=int, default=100_000, help="generated fills")
    parser.add_argument("--portfolios", type=int, default=50)
    parser.add_argument("--batch-days", type=int, default=10, help="trading days per insert")
    parser.add_argument("--runs", type=int, default=21, help="timed runs per read figure")
    parser.add_argument("--skip-sql", action="store_true", help="no PostgreSQL bar import")
    args = parser.parse_args(argv)
    days = trading_days(args.days)
    report = Report()
    with ExitStack() as stack:
        # Entered first, left last: the spawned ClickHouse keeps its data here until it stops.
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="ginkgo-bench-"))
        database = stack.enter_context(scratch_database())
        clickhouse = stack.enter_context(scratch_clickhouse(Path(tmp)))
        prefix = f"bench{os.getpid()}:"
        django_setup(
            stack, DATABASE_URL=database, CLICKHOUSE_URL=clickhouse, GINKGO_REDIS_PREFIX=prefix
        )
        from trading.redis_store import redis_client

        stack.callback(delete_keys, redis_client(), prefix)
        _create_tables()
        print(
            f"generating {args.trades:,} fills of {args.portfolios} portfolios (untimed)...",
            flush=True,
        )
        fills_create(args.portfolios, args.trades, days)
        redis_figures(report, args)
        clickhouse_figures(report, args, days, clickhouse)
        if not args.skip_sql:
            sql_figures(report, args, days)
    print()
    report.print()


def _create_tables() -> None:
    # Only the tables measured here, straight from the models: the benchmark does not depend
    # on the migration graph (which may be mid-merge while several people work on it).
    from django.db import connection
    from django.db import models as db

    from trading import models

    with connection.schema_editor() as editor:
        for model in (
            models.Portfolio,
            models.Order,
            models.Fill,
            models.Bar,
            models.MirrorProgress,
        ):
            editor.create_model(model)
        editor.add_index(
            models.Fill,
            db.Index(fields=["recorded_at", "fill_id"], name="trading_fill_recorded_idx"),
        )


if __name__ == "__main__":
    main()
