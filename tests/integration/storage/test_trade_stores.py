"""Upstream: (entry point: pytest)
Downstream: tests.integration.storage.factories, trading.core.enums, trading.core.ports, trading.core.testing.builders, trading.services.trade_mirror, trading.storage.statistics, trading.storage.stores
Role: both TradeStores (ClickHouse fed by the mirror, SQL reading the fills) answer the same trades, counts and per-symbol sums."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.integration.storage import factories
from trading.core.enums import Side
from trading.core.ports import TradeRecord
from trading.core.testing.builders import T0
from trading.services.trade_mirror import trade_mirror_run
from trading.storage.statistics import trade_statistics
from trading.storage.stores import trade_store

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["clickhouse_store", "sql_store"])
def trades_in_store(request) -> list[TradeRecord]:
    """Fills of two portfolios in the SQL database, mirrored when the store is ClickHouse."""
    request.getfixturevalue(request.param)
    alpha, beta = factories.portfolio("alpha"), factories.portfolio("beta")
    fills = [
        factories.fill(alpha, 1, quantity="10", price="100.5"),
        factories.fill(alpha, 2, side="sell", quantity="4", price="110.25", commission="0.5"),
        factories.fill(alpha, 3, quantity="2", price="3000", symbol="MSFT"),
        factories.fill(beta, 1, quantity="1000000", price="12345.6789"),
        factories.fill(beta, 2, side="sell", quantity="1000000", price="12345.7"),
    ]
    trade_mirror_run(settle=timedelta(0))
    return [
        TradeRecord(
            f.fill_id,
            f.portfolio_id,
            f.order_id,
            f.symbol,
            Side(f.side),
            f.quantity,
            f.price,
            f.commission,
            f.executed_at,
        )
        for f in fills
    ]


def test_trades_read_back_per_portfolio_in_execution_order_with_microseconds(trades_in_store):
    store = trade_store()

    alpha = list(store.trades("alpha"))
    everyone = list(store.trades())

    assert alpha == trades_in_store[:3]
    assert {t.fill_id for t in everyone} == {t.fill_id for t in trades_in_store}
    assert alpha[0].executed_at.microsecond == 1


def test_a_range_is_exact_to_the_microsecond(trades_in_store):
    second = trades_in_store[1].executed_at

    inside = list(trade_store().trades("alpha", second, second + timedelta(microseconds=1)))
    before = trade_store().count_trades("alpha", None, second)

    assert [t.fill_id for t in inside] == ["alpha-F2"]
    assert before == 1


def test_per_symbol_sums_feed_exact_statistics(trades_in_store):
    statistics = trade_statistics(trade_store().totals())

    alpha, beta = statistics.portfolios
    assert alpha.trades == 3
    assert alpha.turnover == Decimal("1005") + Decimal("441") + Decimal("6000")
    assert alpha.realised_pnl == Decimal(4) * (Decimal("110.25") - Decimal("100.5"))
    assert beta.realised_pnl == Decimal("21100.0000")
    assert statistics.total.commission == Decimal("4.5")


def test_totals_follow_the_range(trades_in_store):
    totals = trade_store().totals(T0 + timedelta(days=3), None)

    assert [(t.portfolio_id, t.symbol, t.trades) for t in totals] == [("alpha", "MSFT", 1)]


def test_counts_give_trades_and_the_newest_execution_second(trades_in_store):
    counts = trade_store().counts()

    assert counts.rows == 5
    assert counts.latest.replace(microsecond=0) == (T0 + timedelta(days=3)).replace(microsecond=0)


def test_writing_trades_again_changes_nothing_in_clickhouse(clickhouse_store):
    trade = TradeRecord(
        "F1", "alpha", "o1", "AAPL", Side.BUY, Decimal(1), Decimal(2), Decimal(0), T0
    )
    store = trade_store()

    store.write_trades([trade])
    store.write_trades([trade])

    assert list(store.trades()) == [trade]
    assert store.count_trades() == 1
