"""Upstream: (entry point: pytest)
Downstream: tests.unit.core.test_buying_power, trading.core.backtest.engine, trading.core.backtest.result, trading.core.config, trading.core.enums, trading.core.market, trading.core.matching.commissions, trading.core.orders.events, trading.core.orders.order, trading.core.registry, trading.core.testing.builders, trading.livecore.paper
Role: the paper gateway and the backtest apply one buying-power rule: given the same prices and orders they fill and reject the same orders, for the same reasons."""

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.core.test_buying_power import (
    commissions,
    gappy_bars,
    sizers,
    strategies,
    whim_registry,
)
from trading.core.backtest.engine import BacktestEngine, ExecutionSettings
from trading.core.backtest.result import OrderRecord
from trading.core.config import PortfolioConfig
from trading.core.enums import OrderStatus, OrderType, Side, TimeInForce
from trading.core.market import Bar
from trading.core.matching.commissions import CommissionModel
from trading.core.orders.events import (
    ExecutionReport,
    Fill,
    OrderAccepted,
    OrderExpired,
    OrderRejected,
)
from trading.core.orders.order import Order
from trading.core.registry import ComponentSpec
from trading.core.testing.builders import T0, bar, order
from trading.livecore.paper import PaperTradeGateway

HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def _order(record: OrderRecord, portfolio_id: str) -> Order:
    """The order the backtest's pipeline sent (pipelines send DAY market orders)."""
    assert record.order_type == OrderType.MARKET.value
    return Order(
        client_order_id=record.client_order_id,
        portfolio_id=portfolio_id,
        symbol=record.symbol,
        side=Side(record.side),
        quantity=record.quantity,
        created_at=record.created_at,
        order_type=OrderType.MARKET,
        time_in_force=TimeInForce.DAY,
        tag=record.tag,
    )


def _gateway_reports(
    bars: list[Bar], orders: list[Order], execution: ExecutionSettings, cash: Decimal
) -> list[ExecutionReport]:
    """Run the paper gateway as LiveCore does: each order arrives after the price update
    it was made on, and the gateway reads the portfolio's cash from the record."""
    reports: list[ExecutionReport] = []
    gateway = PaperTradeGateway(execution, window=len(bars) + 1, cash=lambda _: cash)
    gateway.connect(reports.append)
    gateway.restore([])
    made_at: dict[datetime, list[Order]] = defaultdict(list)
    for item in orders:
        made_at[item.created_at].append(item)
    for update in bars:
        gateway.on_price(update)
        for item in made_at.pop(update.time, []):
            gateway.submit(item)
    return reports


@settings(max_examples=120, deadline=None)
@given(
    data=st.data(),
    cash=st.integers(min_value=1, max_value=100_000),
    strategy=strategies,
    sizer=sizers,
    commission=commissions,
    volume_limit=st.sampled_from([None, Decimal("0.1"), Decimal("0.5")]),
)
def test_the_paper_gateway_fills_and_rejects_what_the_backtest_does(
    data: st.DataObject,
    cash: int,
    strategy: ComponentSpec,
    sizer: ComponentSpec,
    commission: CommissionModel,
    volume_limit: Decimal | None,
) -> None:
    # Hourly bars let a capped order fill in parts over a day (a DAY order ends with it).
    bars = data.draw(gappy_bars(step=data.draw(st.sampled_from([HOUR, DAY]))))
    config = PortfolioConfig("P1", ("AAA",), Decimal(cash), strategy, sizer)
    execution = ExecutionSettings(commission=commission, volume_limit=volume_limit)
    result = BacktestEngine(config, execution, whim_registry()).run(bars)

    reports = _gateway_reports(
        bars, [_order(r, "P1") for r in result.orders], execution, Decimal(cash)
    )

    fills = [r for r in reports if isinstance(r, Fill)]
    assert [(f.client_order_id, f.quantity, f.price, f.commission, f.time) for f in fills] == [
        (f.client_order_id, f.quantity, f.price, f.commission, f.time) for f in result.trades
    ]
    rejected = [(r.client_order_id, r.reason) for r in reports if isinstance(r, OrderRejected)]
    assert rejected == [
        (o.client_order_id, o.reason)
        for o in result.orders
        if o.status == OrderStatus.REJECTED.value
    ]
    expired = [r.client_order_id for r in reports if isinstance(r, OrderExpired)]
    assert expired == [
        o.client_order_id for o in result.orders if o.status == OrderStatus.EXPIRED.value
    ]


def test_an_accepted_buy_the_cash_cannot_pay_for_is_rejected_when_it_would_fill() -> None:
    bars = [bar("27", time=T0), bar("27.5", open="27.2", time=T0 + DAY)]

    accepted, rejected = _gateway_reports(
        bars, [order(Side.BUY, 1000, created_at=T0)], ExecutionSettings(), Decimal(1000)
    )

    assert isinstance(accepted, OrderAccepted)
    assert isinstance(rejected, OrderRejected)
    assert rejected.reason.startswith("insufficient_cash: buying 1000 at 27.2 costs 27200.00")
    assert rejected.time == T0 + DAY
