"""Upstream: trading.core.accounting.buying_power, trading.core.backtest.engine, trading.core.catalog, trading.core.config, trading.core.matching.engine, trading.core.pipeline, trading.core.sizers
Downstream: trading.core.params
Role: commission models: none, per unit with a minimum per fill, and a percentage of traded value."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Protocol, runtime_checkable

from trading.core.params import Param

ZERO = Decimal(0)


@runtime_checkable
class CommissionModel(Protocol):
    """Cost of one fill. Must not decrease as quantity grows (sizers rely on it)."""

    def commission(self, quantity: Decimal, price: Decimal) -> Decimal:
        """Fee for filling ``quantity`` at ``price``."""
        ...


@dataclass(frozen=True, slots=True)
class NoCommission:
    """Trading costs nothing."""

    def commission(self, quantity: Decimal, price: Decimal) -> Decimal:
        """Always zero."""
        return ZERO


@dataclass(frozen=True, slots=True)
class PerShareCommission:
    """A fee per unit traded, never less than a minimum per fill."""

    rate: Annotated[Decimal, Param("fee per unit", minimum=Decimal(0), maximum=Decimal(1000))] = (
        Decimal("0.005")
    )
    minimum: Annotated[
        Decimal, Param("minimum fee per fill", minimum=Decimal(0), maximum=Decimal(1_000_000))
    ] = Decimal(1)

    def commission(self, quantity: Decimal, price: Decimal) -> Decimal:
        """``max(minimum, quantity * rate)``."""
        return max(self.minimum, quantity * self.rate)


@dataclass(frozen=True, slots=True)
class PercentCommission:
    """A percentage of the traded value."""

    percent: Annotated[
        Decimal, Param("percent of traded value", minimum=Decimal(0), maximum=Decimal(100))
    ] = Decimal("0.1")

    def commission(self, quantity: Decimal, price: Decimal) -> Decimal:
        """``quantity * price * percent / 100``."""
        return quantity * price * self.percent / 100


NO_COMMISSION = NoCommission()
