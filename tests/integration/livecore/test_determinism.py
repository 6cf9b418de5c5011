"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, tests.integration.livecore.conftest, trading.bus.mapping, trading.bus.topics, trading.core.backtest.engine, trading.core.config, trading.core.enums, trading.core.orders.order, trading.core.registry, trading.core.testing.random_walk, trading.livecore.sources, trading.models
Role: event-time determinism: bar files replayed through DataManager -> LiveEngine give the backtest's fills on the same orders."""

from decimal import Decimal

from ginkgo_site.devstack.waiting import wait_until
from tests.integration.livecore.conftest import make_portfolio
from trading.bus.mapping import order_message
from trading.bus.topics import ORDERS_SUBMISSION
from trading.core.backtest.engine import BacktestEngine
from trading.core.config import PortfolioConfig
from trading.core.enums import OrderType, Side, TimeInForce
from trading.core.orders.order import Order
from trading.core.registry import ComponentSpec
from trading.core.testing.random_walk import random_walk, write_bars_csv
from trading.livecore.sources import BarReplaySource
from trading.models import Fill

SYMBOLS = ("AAA", "BBB")
BARS = 60


def test_a_replayed_bar_file_fills_the_backtest_orders_exactly_as_the_backtest_did(
    start_livecore, publisher, tmp_path
):
    files = [
        write_bars_csv(
            tmp_path / f"{symbol}.csv", random_walk(BARS, seed=seed, symbol=symbol, volatility=0.03)
        )
        for seed, symbol in enumerate(SYMBOLS)
    ]
    config = PortfolioConfig(
        portfolio_id="DET",
        symbols=SYMBOLS,
        initial_capital=Decimal(100_000),
        strategy=ComponentSpec("sma_cross", {"period": 3, "size": "10"}),
    )
    backtest = BacktestEngine(config).run(
        p.update for p in BarReplaySource.from_files(files).updates()
    )
    orders = [
        Order(
            client_order_id=o.client_order_id,
            portfolio_id="DET",
            symbol=o.symbol,
            side=Side(o.side),
            quantity=o.quantity,
            created_at=o.created_at,
            order_type=OrderType(o.order_type),
            time_in_force=TimeInForce.DAY,
            tag=o.tag,
        )
        for o in backtest.orders
    ]
    assert backtest.trade_count >= 6
    make_portfolio("DET", list(SYMBOLS))
    halfway = backtest.start + (backtest.end - backtest.start) / 2
    core = start_livecore(
        source=BarReplaySource.from_files(files, seconds_per_bar=0.04), publish_all=True
    )

    # Later orders arrive before their prices, earlier ones after every price was published.
    for item in [o for o in orders if o.created_at >= halfway]:
        publisher.publish(ORDERS_SUBMISSION, order_message(item))
    publisher.flush()
    wait_until(
        lambda: core.counters["prices"] == BARS * len(SYMBOLS), what="every bar at the engine"
    )
    for item in [o for o in orders if o.created_at < halfway]:
        publisher.publish(ORDERS_SUBMISSION, order_message(item))
    publisher.flush()

    wait_until(lambda: Fill.objects.count() >= backtest.trade_count, what="every fill")
    live = {
        (f.order_id, f.symbol, f.side, f.quantity, f.price, f.executed_at)
        for f in Fill.objects.all()
    }
    expected = {
        (f.client_order_id, f.symbol, f.side.value, f.quantity, f.price, f.time)
        for f in backtest.trades
    }
    assert live == expected
