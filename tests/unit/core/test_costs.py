"""Upstream: (entry point: pytest)
Downstream: trading.core.enums, trading.core.matching.commissions, trading.core.matching.slippage
Role: commission models (per unit with minimum, percent of value) and slippage models (ticks, basis points)."""

from decimal import Decimal

import pytest

from trading.core.enums import Side
from trading.core.matching.commissions import NoCommission, PercentCommission, PerShareCommission
from trading.core.matching.slippage import BpsSlippage, NoSlippage, TickSlippage


@pytest.mark.parametrize(("quantity", "expected"), [(100, "1"), (199, "1"), (300, "1.500")])
def test_per_share_commission_charges_the_rate_with_a_minimum(quantity: int, expected: str) -> None:
    model = PerShareCommission(Decimal("0.005"), Decimal(1))

    assert model.commission(Decimal(quantity), Decimal(50)) == Decimal(expected)


def test_percent_commission_is_a_share_of_traded_value() -> None:
    model = PercentCommission(Decimal("0.1"))

    assert model.commission(Decimal(30), Decimal("12.50")) == Decimal("0.375")


def test_no_commission_is_free() -> None:
    assert NoCommission().commission(Decimal(1000), Decimal(1000)) == 0


@pytest.mark.parametrize(("side", "expected"), [(Side.BUY, "50.03"), (Side.SELL, "49.97")])
def test_tick_slippage_is_against_the_trader(side: Side, expected: str) -> None:
    assert TickSlippage(3, Decimal("0.01")).adjust(Decimal(50), side) == Decimal(expected)


@pytest.mark.parametrize(("side", "expected"), [(Side.BUY, "100.25"), (Side.SELL, "99.75")])
def test_bps_slippage_is_against_the_trader(side: Side, expected: str) -> None:
    assert BpsSlippage(Decimal(25)).adjust(Decimal(100), side) == Decimal(expected)


def test_no_slippage_keeps_the_price() -> None:
    assert NoSlippage().adjust(Decimal(7), Side.BUY) == 7
