"""Upstream: trading.core.backtest.engine, trading.core.catalog, trading.core.config, trading.core.matching.engine
Downstream: trading.core.enums, trading.core.params
Role: slippage models (none, ticks, basis points); slippage always moves the price against the trader."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Protocol, runtime_checkable

from trading.core.enums import Side
from trading.core.params import Param


@runtime_checkable
class SlippageModel(Protocol):
    """Worsens an execution price for the side that trades."""

    def adjust(self, price: Decimal, side: Side) -> Decimal:
        """Price actually paid (buys) or received (sells)."""
        ...


@dataclass(frozen=True, slots=True)
class NoSlippage:
    """Executions happen at the quoted price."""

    def adjust(self, price: Decimal, side: Side) -> Decimal:
        """The price, unchanged."""
        return price


@dataclass(frozen=True, slots=True)
class TickSlippage:
    """A fixed number of price ticks against the trader."""

    ticks: Annotated[int, Param("ticks of slippage per fill", minimum=0, maximum=10_000)] = 1
    tick_size: Annotated[
        Decimal, Param("price tick", minimum=Decimal(0), min_exclusive=True, maximum=Decimal(1000))
    ] = Decimal("0.01")

    def adjust(self, price: Decimal, side: Side) -> Decimal:
        """Buys pay ``ticks * tick_size`` more; sells receive that much less."""
        return price + side.sign * self.ticks * self.tick_size


@dataclass(frozen=True, slots=True)
class BpsSlippage:
    """A fraction of the price, in basis points, against the trader."""

    bps: Annotated[
        Decimal, Param("basis points per fill", minimum=Decimal(0), maximum=Decimal(10_000))
    ] = Decimal(5)

    def adjust(self, price: Decimal, side: Side) -> Decimal:
        """Buys pay ``price * (1 + bps/10000)``; sells receive ``price * (1 - bps/10000)``."""
        return price * (10000 + side.sign * self.bps) / 10000


NO_SLIPPAGE = NoSlippage()
