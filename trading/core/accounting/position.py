"""Upstream: trading.core.accounting.buying_power, trading.core.accounting.portfolio, trading.core.accounting.view, trading.core.pipeline
Downstream: trading.core.enums
Role: one symbol's position built from fills: signed quantity, cost basis, realised P&L on reductions and flips."""

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from trading.core.enums import Side

ZERO = Decimal(0)
# Partial reductions divide the cost basis; rounding the removed share to a fixed quantum keeps
# every later sum exact (cash + market value == equity holds to the last digit).
_COST_QUANTUM = Decimal("1e-10")


class PositionChange(NamedTuple):
    """What one fill did to a position."""

    realised_pnl: Decimal
    closed_trip_pnl: Decimal | None


@dataclass(slots=True)
class Position:
    """A long (quantity > 0), short (< 0) or flat position in one symbol.

    ``cost`` is the signed cost basis of the open quantity, so the average price is
    ``cost / quantity`` and unrealised P&L is ``quantity * mark - cost``. ``realised_pnl`` is
    price P&L only; commissions are kept apart in ``commission``. ``trip_pnl`` accumulates the
    current round trip's net P&L (realised minus commissions) until the position is flat again.
    """

    symbol: str
    quantity: Decimal = ZERO
    cost: Decimal = ZERO
    realised_pnl: Decimal = ZERO
    commission: Decimal = ZERO
    trip_pnl: Decimal = ZERO

    @property
    def avg_price(self) -> Decimal | None:
        """Average entry price of the open quantity, None when flat."""
        return self.cost / self.quantity if self.quantity else None

    def market_value(self, mark: Decimal) -> Decimal:
        """Signed value at ``mark`` (negative for shorts)."""
        return self.quantity * mark

    def unrealised_pnl(self, mark: Decimal) -> Decimal:
        """P&L of the open quantity if it were closed at ``mark``."""
        return self.quantity * mark - self.cost

    def apply(
        self, side: Side, quantity: Decimal, price: Decimal, commission: Decimal
    ) -> PositionChange:
        """Book one fill; returns the realised P&L and, if a round trip ended, its net P&L."""
        held = self.quantity
        signed = quantity if side is Side.BUY else -quantity
        self.commission += commission
        if not held or (held > 0) == (signed > 0):
            self.quantity = held + signed
            self.cost += signed * price
            self.trip_pnl -= commission
            return PositionChange(ZERO, None)
        return self._reduce(held, signed, price, commission)

    def _reduce(
        self, held: Decimal, signed: Decimal, price: Decimal, commission: Decimal
    ) -> PositionChange:
        size = abs(held)
        traded = abs(signed)
        closing = min(traded, size)
        removed = (
            self.cost if closing == size else (self.cost * closing / size).quantize(_COST_QUANTUM)
        )
        direction = 1 if held > 0 else -1
        realised = closing * price * direction - removed
        closing_commission = commission if closing == traded else commission * closing / traded
        self.realised_pnl += realised
        self.trip_pnl += realised - closing_commission
        self.cost -= removed
        self.quantity = held + signed
        if closing < size:
            return PositionChange(realised, None)
        trip = self.trip_pnl
        # A flip opens a new trip with the rest of the fill, carrying its share of commission.
        self.cost = self.quantity * price
        self.trip_pnl = closing_commission - commission
        return PositionChange(realised, trip)
