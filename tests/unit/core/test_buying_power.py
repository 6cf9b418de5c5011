"""Upstream: (entry point: pytest)
Downstream: trading.core.accounting.buying_power, trading.core.accounting.portfolio, trading.core.backtest.engine, trading.core.backtest.result, trading.core.catalog, trading.core.config, trading.core.enums, trading.core.market, trading.core.matching.commissions, trading.core.matching.engine, trading.core.orders.events, trading.core.params, trading.core.registry, trading.core.strategies.base, trading.core.testing.builders
Role: the buying-power rule: buys the cash cannot pay for at their fill price are rejected as insufficient_cash, in the rule, the venue and the backtest; cash never goes below zero."""

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Annotated

from hypothesis import given, settings
from hypothesis import strategies as st

from trading.core.accounting.buying_power import INSUFFICIENT_CASH, CashAccount, CashAccounts
from trading.core.accounting.portfolio import cash_change
from trading.core.backtest.engine import BacktestEngine, ExecutionSettings
from trading.core.backtest.result import BacktestResult
from trading.core.catalog import builtin_registry
from trading.core.config import PortfolioConfig
from trading.core.enums import OrderStatus, Side
from trading.core.market import Bar
from trading.core.matching.commissions import (
    NO_COMMISSION,
    CommissionModel,
    PercentCommission,
    PerShareCommission,
)
from trading.core.matching.engine import PaperMatchingEngine
from trading.core.orders.events import Fill, OrderAccepted, OrderRejected
from trading.core.params import Param
from trading.core.registry import ComponentKind, ComponentRegistry, ComponentSpec
from trading.core.strategies.base import Strategy
from trading.core.testing.builders import T0, bar, fill, order

DAY = timedelta(days=1)
FEE = PerShareCommission(Decimal("0.01"), Decimal(1))


# --- the rule itself ------------------------------------------------------------------------


def test_a_buy_that_costs_more_than_the_cash_is_refused_naming_cost_and_cash() -> None:
    account = CashAccount(Decimal(1000))

    refusal = account.refusal("P1-0-1", Side.BUY, Decimal(1000), Decimal("27.23"), NO_COMMISSION)

    assert refusal == (
        "insufficient_cash: buying 1000 at 27.23 costs 27230.00 (commission included), "
        "available cash is 1000.00"
    )


def test_the_commission_counts_and_exactly_enough_cash_is_enough() -> None:
    account = CashAccount(Decimal(1001))

    assert account.refusal("a", Side.BUY, Decimal(10), Decimal(100), FEE) is None
    assert account.refusal("a", Side.BUY, Decimal(10), Decimal("100.01"), FEE) is not None


def test_a_sell_is_never_refused_for_cash() -> None:
    account = CashAccount(Decimal(0))

    assert account.refusal("a", Side.SELL, Decimal(10**6), Decimal(500), FEE) is None


def test_what_other_working_orders_reserved_is_not_available_but_an_orders_own_is() -> None:
    account = CashAccount(Decimal(10_000))
    # P1-0-1 bought 10 of 50 at 100: its 40 left stay reserved at that price (4,000).
    account.book(fill(Side.BUY, 10, 100, client_order_id="P1-0-1"), Decimal(40), NO_COMMISSION)

    assert (account.cash, account.reserved) == (Decimal(9_000), Decimal(4_000))
    assert account.refusal("P1-0-2", Side.BUY, Decimal(51), Decimal(100), NO_COMMISSION)
    assert account.refusal("P1-0-2", Side.BUY, Decimal(50), Decimal(100), NO_COMMISSION) is None
    assert account.refusal("P1-0-1", Side.BUY, Decimal(40), Decimal(200), NO_COMMISSION) is None
    account.release("P1-0-1")
    assert account.reserved == 0


def test_accounts_are_loaded_once_per_portfolio_and_again_after_clear() -> None:
    loads: list[str] = []

    def load(portfolio_id: str) -> Decimal:
        loads.append(portfolio_id)
        return Decimal(500)

    accounts = CashAccounts(load)
    accounts["P1"].cash -= 100
    accounts.release("P2", "P2-0-1")  # an account not loaded holds nothing to release

    assert (accounts["P1"].cash, loads) == (Decimal(400), ["P1"])
    accounts.clear()
    assert (accounts["P1"].cash, loads) == (Decimal(500), ["P1", "P1"])


# --- in the paper matching engine -----------------------------------------------------------


def _venue(cash: int, **options: object) -> PaperMatchingEngine:
    return PaperMatchingEngine(accounts=CashAccounts(lambda _: Decimal(cash)), **options)  # type: ignore[arg-type]


def test_an_accepted_order_is_rejected_when_the_open_it_would_fill_at_costs_too_much() -> None:
    venue = _venue(1000)
    venue.submit(order(Side.BUY, 10, created_at=T0), T0)

    (rejected,) = venue.on_price(bar("99", open="100.01", high="101", time=T0 + DAY))

    assert isinstance(rejected, OrderRejected)
    assert rejected.reason.startswith(f"{INSUFFICIENT_CASH}: buying 10 at 100.01 costs 1000.10")
    assert (rejected.time, venue.open_orders) == (T0 + DAY, [])


def test_the_rest_of_a_partly_filled_order_is_rejected_when_the_price_runs_away() -> None:
    venue = _venue(1000, volume_limit=Decimal("0.5"))
    venue.submit(order(Side.BUY, 10, created_at=T0), T0)

    first = venue.on_price(bar("60", open="60", volume=10, time=T0 + DAY))
    second = venue.on_price(bar("150", open="150", volume=10, time=T0 + 2 * DAY))

    assert [(f.quantity, f.price) for f in first if isinstance(f, Fill)] == [(5, 60)]
    (rejected,) = second
    assert isinstance(rejected, OrderRejected)
    assert "buying 5 at 150 costs 750.00" in rejected.reason
    assert "available cash is 700.00" in rejected.reason


def test_a_sell_fills_whatever_the_cash() -> None:
    venue = _venue(0)
    venue.submit(order(Side.SELL, 10, created_at=T0), T0)

    (sold,) = venue.on_price(bar("100", time=T0 + DAY))

    assert isinstance(sold, Fill)


def test_without_accounts_the_venue_checks_nothing() -> None:
    venue = PaperMatchingEngine()
    reports = venue.submit(order(Side.BUY, 10**6, created_at=T0), T0)

    assert isinstance(reports[0], OrderAccepted)
    assert isinstance(venue.on_price(bar("100", time=T0 + DAY))[0], Fill)


# --- in the backtest ------------------------------------------------------------------------


def _days(*closes_and_opens: tuple[str, str]) -> list[Bar]:
    return [
        bar(close, open=open_, time=T0 + i * DAY)
        for i, (close, open_) in enumerate(closes_and_opens)
    ]


def _backtest(
    bars: list[Bar],
    cash: int,
    strategy: ComponentSpec,
    sizer: ComponentSpec,
    commission: CommissionModel = NO_COMMISSION,
    registry: ComponentRegistry | None = None,
) -> BacktestResult:
    config = PortfolioConfig("bt", ("AAA",), Decimal(cash), strategy, sizer)
    execution = ExecutionSettings(commission=commission)
    return BacktestEngine(config, execution, registry).run(bars)


def test_buy_and_hold_of_1000_shares_with_1000_of_cash_never_overdraws() -> None:
    bars = _days(("27.23", "27.00"), ("27.50", "27.30"), ("28.00", "27.60"))

    result = _backtest(
        bars, 1000, ComponentSpec("buy_and_hold"), ComponentSpec("fixed", {"quantity": "1000"})
    )

    assert (result.trades, result.cash, result.final_value) == ((), 1000, 1000)
    # Retried on every bar, rejected every time (the last bar's order never meets a price).
    assert [o.status for o in result.orders] == ["rejected", "rejected", "accepted"]
    assert result.orders[0].reason.startswith("insufficient_cash: buying 1000 at 27.30")


def test_a_percent_100_buy_sized_at_the_close_is_rejected_when_the_next_open_gaps_up() -> None:
    # Sized at the close of 100 (10 units of 1,000), it would fill at the open of 101.
    gap_up = _days(("100", "100"), ("101", "101"), ("99", "99"))
    flat = _days(("100", "100"), ("100", "100"), ("99", "99"))
    args = (1000, ComponentSpec("buy_and_hold"), ComponentSpec("percent", {"percent": "100"}))

    rejected, filled = _backtest(gap_up, *args), _backtest(flat, *args)

    first = rejected.orders[0]
    assert (first.status, first.quantity) == (OrderStatus.REJECTED.value, 10)
    assert first.reason.startswith("insufficient_cash: buying 10 at 101 costs 1010.00")
    assert [(t.quantity, t.price) for t in filled.trades] == [(10, 100)]
    assert filled.cash == 0


# --- cash never goes below zero -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WhimConfig:
    """Settings of the whim test strategy."""

    seed: Annotated[int, Param("seed", minimum=0, maximum=10**6)] = 0


class Whim(Strategy[WhimConfig]):
    """Buys random amounts, sells and closes at random: whatever a strategy might ask."""

    def __init__(self, config: WhimConfig) -> None:
        super().__init__(config)
        self._random = random.Random(config.seed)

    def on_bar(self, bar: Bar) -> None:
        roll = self._random.random()
        if roll < 0.5:
            size = Decimal(self._random.choice([1, 3, 10, 100, 1000, 10**6]))
            self.buy(bar.symbol, quantity=size)
        elif roll < 0.7:
            self.sell(bar.symbol)
        elif roll < 0.8:
            self.close(bar.symbol)


def whim_registry() -> ComponentRegistry:
    """The built-in components and the whim strategy."""
    registry = builtin_registry()
    registry.register(ComponentKind.STRATEGY, "whim", WhimConfig, Whim)
    return registry


_price = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(500), places=2)


@st.composite
def gappy_bars(draw: st.DrawFn, step: timedelta = DAY) -> list[Bar]:
    """Bars whose opens jump anywhere (where a buy sized at the close overdraws), some of
    little volume (where a capped order fills in parts)."""
    bars = []
    for index in range(draw(st.integers(min_value=2, max_value=40))):
        open_, close = draw(_price), draw(_price)
        volume = draw(st.sampled_from([20, 1000, 100_000]))
        bars.append(bar(close, open=open_, volume=volume, time=T0 + index * step))
    return bars


strategies = st.one_of(
    st.builds(lambda seed: ComponentSpec("whim", {"seed": seed}), st.integers(0, 10**6)),
    st.builds(
        lambda seed, rate: ComponentSpec("random", {"seed": seed, "rate": rate, "size": 50}),
        st.integers(0, 1000),
        st.sampled_from([0.3, 0.7, 1.0]),
    ),
    st.just(ComponentSpec("buy_and_hold", {"size": 7})),
    st.just(ComponentSpec("sma_cross", {"period": 2, "size": 20})),
)
sizers = st.one_of(
    st.just(ComponentSpec("signal")),
    st.builds(lambda q: ComponentSpec("fixed", {"quantity": q}), st.sampled_from([1, 13, 500])),
    st.builds(lambda p: ComponentSpec("percent", {"percent": p}), st.sampled_from([10, 60, 100])),
    st.builds(
        lambda w: ComponentSpec("target_weight", {"weight": w}), st.sampled_from(["0.5", "1"])
    ),
)
# Models under which a sale never costs more than it brings in (a per-share minimum can:
# a sale is always allowed, so that commission could then dip into the cash).
commissions = st.sampled_from([NO_COMMISSION, PercentCommission(Decimal("0.1"))])


@settings(max_examples=150, deadline=None)
@given(
    bars=gappy_bars(),
    cash=st.integers(min_value=1, max_value=100_000),
    strategy=strategies,
    sizer=sizers,
    commission=commissions,
)
def test_cash_never_goes_below_zero_in_any_backtest(
    bars: list[Bar],
    cash: int,
    strategy: ComponentSpec,
    sizer: ComponentSpec,
    commission: CommissionModel,
) -> None:
    result = _backtest(bars, cash, strategy, sizer, commission, whim_registry())

    balance = Decimal(cash)
    for trade in result.trades:
        balance += cash_change(trade)
        assert balance >= 0, f"{trade} overdraws to {balance}"
    assert result.cash == balance
    rejected = [o for o in result.orders if o.status == OrderStatus.REJECTED.value]
    assert all(o.reason.startswith(INSUFFICIENT_CASH) for o in rejected)
