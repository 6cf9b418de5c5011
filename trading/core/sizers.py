"""Upstream: trading.core.catalog, trading.core.config, trading.core.pipeline
Downstream: trading.core.accounting.buying_power, trading.core.accounting.view, trading.core.amounts, trading.core.matching.commissions, trading.core.params, trading.core.signals
Role: sizers decide how many units a buy signal trades: the signal's hint, a fixed amount, a percent of equity, a target weight."""

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Annotated, Protocol, runtime_checkable

from trading.core.accounting.buying_power import order_cost
from trading.core.accounting.view import PortfolioView
from trading.core.amounts import MAX_UNITS
from trading.core.matching.commissions import CommissionModel
from trading.core.params import Param
from trading.core.signals import Signal

ZERO = Decimal(0)


@runtime_checkable
class Sizer(Protocol):
    """Turns a buy signal into a quantity; sells and closes always trade the whole position,
    which the pipeline decides without asking the sizer."""

    def size(
        self, signal: Signal, price: Decimal, portfolio: PortfolioView, commission: CommissionModel
    ) -> Decimal:
        """Units to buy at about ``price`` (0 means: do not trade)."""
        ...


@dataclass(frozen=True, slots=True)
class SignalSizer:
    """Buys the quantity the strategy suggested in its signal (nothing if it gave none)."""

    def size(
        self, signal: Signal, price: Decimal, portfolio: PortfolioView, commission: CommissionModel
    ) -> Decimal:
        """The signal's quantity hint."""
        return signal.quantity if signal.quantity is not None else ZERO


@dataclass(frozen=True, slots=True)
class FixedSizer:
    """Buys a fixed quantity, whatever the signal suggests."""

    quantity: Annotated[
        Decimal, Param("units per buy", minimum=Decimal(0), min_exclusive=True, maximum=MAX_UNITS)
    ] = Decimal(1)

    def size(
        self, signal: Signal, price: Decimal, portfolio: PortfolioView, commission: CommissionModel
    ) -> Decimal:
        """The configured quantity."""
        return self.quantity


@dataclass(frozen=True, slots=True)
class PercentSizer:
    """Spends a percentage of equity per buy, commission included, in whole units."""

    percent: Annotated[
        Decimal,
        Param("percent of equity per buy", minimum=Decimal(0), min_exclusive=True, maximum=100),
    ] = Decimal(10)

    def size(
        self, signal: Signal, price: Decimal, portfolio: PortfolioView, commission: CommissionModel
    ) -> Decimal:
        """Most whole units whose value plus commission fits in ``percent`` of equity."""
        return affordable_quantity(portfolio.equity * self.percent / 100, price, commission)


@dataclass(frozen=True, slots=True)
class TargetWeightSizer:
    """Buys up to a target share of equity in the symbol, commission included, whole units."""

    weight: Annotated[
        Decimal, Param("target share of equity", minimum=0, min_exclusive=True, maximum=1)
    ] = Decimal("0.1")

    def size(
        self, signal: Signal, price: Decimal, portfolio: PortfolioView, commission: CommissionModel
    ) -> Decimal:
        """Whole units that bring the position's value up to ``weight`` of equity."""
        budget = portfolio.equity * self.weight - portfolio.market_value(signal.symbol)
        return affordable_quantity(budget, price, commission)


def affordable_quantity(budget: Decimal, price: Decimal, commission: CommissionModel) -> Decimal:
    """The largest whole quantity q with ``q * price + commission(q) <= budget``.

    Binary search, so any commission model works as long as it never falls as q grows.
    """
    if budget <= 0 or price <= 0:
        return ZERO
    low, high = 0, int((budget / price).to_integral_value(ROUND_FLOOR))
    while low < high:
        middle = (low + high + 1) // 2
        if order_cost(Decimal(middle), price, commission) <= budget:
            low = middle
        else:
            high = middle - 1
    return Decimal(low)
