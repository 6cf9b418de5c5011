"""Upstream: (entry point: pytest)
Downstream: trading.core.accounting.portfolio, trading.core.accounting.view, trading.core.enums, trading.core.matching.commissions, trading.core.signals, trading.core.sizers, trading.core.testing.builders
Role: sizers: quantity hints, fixed quantities, percent of equity and target weights, commission included."""

from decimal import Decimal

import pytest

from trading.core.accounting.portfolio import Portfolio
from trading.core.accounting.view import PortfolioView
from trading.core.enums import Side, SignalDirection
from trading.core.matching.commissions import (
    NO_COMMISSION,
    CommissionModel,
    PercentCommission,
    PerShareCommission,
)
from trading.core.signals import Signal
from trading.core.sizers import (
    FixedSizer,
    PercentSizer,
    SignalSizer,
    TargetWeightSizer,
    affordable_quantity,
)
from trading.core.testing.builders import T0, fill

VIEW = PortfolioView(Portfolio(Decimal(10_000)))


def _buy(quantity: int | None = None) -> Signal:
    hint = Decimal(quantity) if quantity is not None else None
    return Signal("AAA", SignalDirection.BUY, T0, "test", hint)


def test_signal_sizer_buys_the_strategy_hint() -> None:
    assert SignalSizer().size(_buy(7), Decimal(100), VIEW, NO_COMMISSION) == 7


def test_signal_sizer_without_a_hint_buys_nothing() -> None:
    assert SignalSizer().size(_buy(), Decimal(100), VIEW, NO_COMMISSION) == 0


def test_fixed_sizer_ignores_the_hint() -> None:
    assert FixedSizer(Decimal(25)).size(_buy(7), Decimal(100), VIEW, NO_COMMISSION) == 25


@pytest.mark.parametrize(
    ("percent", "price", "commission", "expected"),
    [
        ("10", "99", NO_COMMISSION, 10),  # 1,000 budget: 10 x 99 = 990
        ("10", "100", NO_COMMISSION, 10),  # exactly the budget
        ("10", "100", PerShareCommission(Decimal("0.005"), Decimal(1)), 9),  # 1,000 + 1 > 1,000
        ("10", "10", PercentCommission(Decimal(1)), 99),  # 99 x 10 x 1.01 = 999.9
        ("100", "3", PerShareCommission(Decimal(1), Decimal(0)), 2_500),  # 4 per unit all in
    ],
)
def test_percent_sizer_spends_its_share_of_equity_commission_included(
    percent: str, price: str, commission: CommissionModel, expected: int
) -> None:
    sizer = PercentSizer(Decimal(percent))

    assert sizer.size(_buy(), Decimal(price), VIEW, commission) == expected


def test_target_weight_buys_only_the_missing_part_of_the_weight() -> None:
    portfolio = Portfolio(Decimal(10_000))
    portfolio.apply_fill(fill(Side.BUY, 30, 100))  # 3,000 of 10,000 equity

    quantity = TargetWeightSizer(Decimal("0.5")).size(
        _buy(), Decimal(100), PortfolioView(portfolio), NO_COMMISSION
    )

    assert quantity == 20


def test_target_weight_already_reached_buys_nothing() -> None:
    portfolio = Portfolio(Decimal(10_000))
    portfolio.apply_fill(fill(Side.BUY, 60, 100))

    quantity = TargetWeightSizer(Decimal("0.5")).size(
        _buy(), Decimal(100), PortfolioView(portfolio), NO_COMMISSION
    )

    assert quantity == 0


@pytest.mark.parametrize(
    ("budget", "price"), [("0", "10"), ("-5", "10"), ("100", "0"), ("5", "10")]
)
def test_nothing_is_affordable_without_budget_or_price(budget: str, price: str) -> None:
    assert affordable_quantity(Decimal(budget), Decimal(price), NO_COMMISSION) == 0
