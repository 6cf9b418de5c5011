"""Upstream: (entry point: pytest)
Downstream: trading.core.market, trading.core.ports, trading.core.testing.builders, trading.core.testing.random_walk, trading.storage.clickhouse_bars, trading.storage.stores
Role: both BarStores (ClickHouse, SQL) give back exactly the bars written, by symbol, interval and range; writing again replaces, never duplicates."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from trading.core.market import Bar
from trading.core.ports import StoreUnavailable
from trading.core.testing.builders import T0, bar, utc
from trading.core.testing.random_walk import random_walk
from trading.storage.clickhouse_bars import ClickHouseBarStore
from trading.storage.stores import bar_store, clickhouse

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["clickhouse_store", "sql_store"])
def store_kind(request) -> str:
    request.getfixturevalue(request.param)
    return request.param


def _daily(count: int, symbol: str = "AAPL") -> list[Bar]:
    return list(random_walk(count, seed=3, symbol=symbol))


def test_bars_written_are_read_back_exactly_in_time_order(store_kind):
    bars = _daily(50) + _daily(5, "MSFT")
    store = bar_store()

    written = store.write_bars(bars)
    read = list(store.bars("AAPL"))

    assert written == 55
    assert read == [replace(b, interval="1d") for b in bars[:50]]


def test_a_range_is_start_inclusive_end_exclusive_and_a_limit_caps_it(store_kind):
    store = bar_store()
    store.write_bars(_daily(30))

    ranged = list(store.bars("AAPL", T0 + timedelta(days=5), T0 + timedelta(days=10)))
    limited = list(store.bars("AAPL", limit=3))

    assert [b.time for b in ranged] == [T0 + timedelta(days=d) for d in range(5, 10)]
    assert [b.time for b in limited] == [T0, T0 + timedelta(days=1), T0 + timedelta(days=2)]


def test_writing_the_same_bars_again_replaces_them_without_duplicates(store_kind):
    store = bar_store()
    store.write_bars(_daily(20))
    corrected = bar("123.45678901", symbol="AAPL", volume="98765432109.5", time=T0)

    store.write_bars([*_daily(20)[1:], corrected])

    read = list(store.bars("AAPL"))
    assert len(read) == 20
    assert (read[0].close, read[0].volume) == (Decimal("123.45678901"), Decimal("98765432109.5"))


def test_intervals_are_kept_apart_and_listed_per_symbol(store_kind):
    store = bar_store()
    minutes = list(random_walk(10, seed=1, symbol="AAPL", step=timedelta(minutes=1)))
    store.write_bars([replace(b, interval="1m") for b in minutes])
    store.write_bars(_daily(3))

    assert store.intervals("AAPL") == ["1d", "1m"]
    assert len(list(store.bars("AAPL", interval="1m"))) == 10
    assert store.intervals("NONE") == []


def test_counts_give_rows_and_the_newest_bar_time(store_kind):
    store = bar_store()
    store.write_bars([bar(1, time=utc("2024-01-02")), bar(2, time=utc("2024-02-01"))])

    counts = store.counts()

    assert (counts.rows, counts.latest) == (2, utc("2024-02-01"))


def test_clickhouse_reads_are_exact_before_merges_with_either_deduplication(clickhouse_store):
    clickhouse().execute("SYSTEM STOP MERGES bars")  # keep the duplicate parts apart
    bar_store().write_bars(_daily(10))
    bar_store().write_bars(_daily(10))
    ((raw,),) = clickhouse().execute("SELECT count() FROM bars")

    final = list(ClickHouseBarStore(clickhouse(), "final").bars("AAPL"))
    grouped = list(ClickHouseBarStore(clickhouse(), "group").bars("AAPL"))

    assert raw == 20  # two unmerged parts
    assert final == grouped == list(bar_store().bars("AAPL"))
    assert len(final) == 10


def test_a_clickhouse_without_the_schema_says_to_create_it(settings, clickhouse_database):
    with pytest.raises(StoreUnavailable, match="clickhouse_schema"):
        list(bar_store().bars("AAPL"))


def test_an_unreachable_clickhouse_is_named_with_its_address(clickhouse_down):
    with pytest.raises(StoreUnavailable) as raised:
        bar_store().write_bars(_daily(1))

    assert raised.value.store == "clickhouse"
    assert str(raised.value).startswith(f"clickhouse at {urlsplit(clickhouse_down).netloc} ")
