"""Upstream: bench.storage, ginkgo_site.devstack.cluster, trading.core.accounting.buying_power, trading.core.accounting.view, trading.core.backtest.engine, trading.core.config, trading.core.pipeline, trading.core.testing.harness, trading.node.loader, trading.selectors.trades, trading.services.hot_positions, trading.storage.hot_positions
Downstream: trading.core.accounting.position, trading.core.codec, trading.core.orders.events
Role: the portfolio ledger: cash, positions, marks and commissions, built from fills (idempotent by fill id)."""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Self

from trading.core.accounting.position import ZERO, Position, PositionChange
from trading.core.codec import from_primitive, to_primitive
from trading.core.orders.events import Fill


def cash_change(fill: Fill) -> Decimal:
    """What a fill does to cash: a buy pays its value, a sell receives it; both pay commission."""
    return -(fill.side.sign * fill.quantity * fill.price + fill.commission)


class Portfolio:
    """Cash and positions of one portfolio; state changes only through fills and marks.

    Equity is always ``cash + sum(quantity * mark)``, which also equals
    ``initial_capital + realised + unrealised - commissions``.
    """

    __slots__ = ("_fill_ids", "_marks", "_positions", "cash", "commissions", "initial_capital")

    def __init__(self, initial_capital: Decimal) -> None:
        self.initial_capital = initial_capital
        self.cash = initial_capital
        self.commissions = ZERO
        self._positions: dict[str, Position] = {}
        self._marks: dict[str, Decimal] = {}
        self._fill_ids: set[str] = set()

    @classmethod
    def rebuild(cls, initial_capital: Decimal, fills: Iterable[Fill]) -> Self:
        """The portfolio that results from applying ``fills`` in order to fresh capital."""
        portfolio = cls(initial_capital)
        for fill in fills:
            portfolio.apply_fill(fill)
        return portfolio

    def apply_fill(self, fill: Fill) -> PositionChange | None:
        """Book a fill; returns None (and changes nothing) when the fill id was seen before."""
        if fill.fill_id in self._fill_ids:
            return None
        self._fill_ids.add(fill.fill_id)
        symbol = fill.symbol
        position = self._positions.get(symbol)
        if position is None:
            position = self._positions[symbol] = Position(symbol)
        self._marks.setdefault(symbol, fill.price)
        change = position.apply(fill.side, fill.quantity, fill.price, fill.commission)
        self.cash += cash_change(fill)
        self.commissions += fill.commission
        return change

    def mark(self, symbol: str, price: Decimal) -> None:
        """Record the latest market price of ``symbol``."""
        self._marks[symbol] = price

    def position(self, symbol: str) -> Position | None:
        """The position in ``symbol``, None if it was never traded."""
        return self._positions.get(symbol)

    def price(self, symbol: str) -> Decimal | None:
        """Latest price of ``symbol``, None if none is known yet."""
        return self._marks.get(symbol)

    def has_fill(self, fill_id: str) -> bool:
        """True if the fill was already booked."""
        return fill_id in self._fill_ids

    @property
    def positions(self) -> Mapping[str, Position]:
        """Positions by symbol (flat ones included, for their realised P&L); read-only."""
        return MappingProxyType(self._positions)

    @property
    def marks(self) -> Mapping[str, Decimal]:
        """Latest price per symbol; read-only."""
        return MappingProxyType(self._marks)

    @property
    def market_value(self) -> Decimal:
        """Signed value of all open positions at their marks."""
        marks = self._marks
        total = ZERO
        for symbol, position in self._positions.items():
            if position.quantity:
                total += position.quantity * marks[symbol]
        return total

    @property
    def equity(self) -> Decimal:
        """Cash plus the market value of all positions."""
        return self.cash + self.market_value

    @property
    def realised_pnl(self) -> Decimal:
        """Price P&L realised by reductions, all symbols, before commissions."""
        return sum((p.realised_pnl for p in self._positions.values()), ZERO)

    @property
    def unrealised_pnl(self) -> Decimal:
        """P&L of the open positions at their marks."""
        marks = self._marks
        return sum(
            (p.unrealised_pnl(marks[s]) for s, p in self._positions.items() if p.quantity), ZERO
        )

    def snapshot(self) -> dict[str, Any]:
        """JSON-ready state, for checkpoints."""
        return {
            "initial_capital": str(self.initial_capital),
            "cash": str(self.cash),
            "commissions": str(self.commissions),
            "positions": [to_primitive(p) for p in self._positions.values()],
            "marks": to_primitive(self._marks),
            "fill_ids": sorted(self._fill_ids),
        }

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any]) -> Self:
        """A portfolio rebuilt from :meth:`snapshot` output."""
        portfolio = cls(Decimal(data["initial_capital"]))
        portfolio.load(data)
        return portfolio

    def load(self, data: Mapping[str, Any]) -> None:
        """Replace this portfolio's state, in place, with :meth:`snapshot` output."""
        self.initial_capital = Decimal(data["initial_capital"])
        self.cash = Decimal(data["cash"])
        self.commissions = Decimal(data["commissions"])
        positions = (from_primitive(Position, item) for item in data["positions"])
        self._positions = {position.symbol: position for position in positions}
        self._marks = {symbol: Decimal(price) for symbol, price in data["marks"].items()}
        self._fill_ids = set(data["fill_ids"])
