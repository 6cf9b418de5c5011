"""Upstream: trading.core.pipeline, trading.core.risk.base, trading.core.sizers, trading.core.strategies.base, trading.core.testing.harness
Downstream: trading.core.accounting.portfolio, trading.core.accounting.position
Role: PortfolioView, the read-only facade strategies, sizers and risk managers see instead of the ledger."""

from decimal import Decimal

from trading.core.accounting.portfolio import Portfolio
from trading.core.accounting.position import ZERO


class PortfolioView:
    """Read-only questions about a portfolio; components never get the mutable ledger."""

    __slots__ = ("_portfolio",)

    def __init__(self, portfolio: Portfolio) -> None:
        self._portfolio = portfolio

    @property
    def initial_capital(self) -> Decimal:
        """Capital the portfolio started with."""
        return self._portfolio.initial_capital

    @property
    def cash(self) -> Decimal:
        """Cash after every fill and commission."""
        return self._portfolio.cash

    @property
    def equity(self) -> Decimal:
        """Cash plus market value of all positions."""
        return self._portfolio.equity

    @property
    def commissions(self) -> Decimal:
        """Commissions paid so far."""
        return self._portfolio.commissions

    @property
    def realised_pnl(self) -> Decimal:
        """Realised price P&L of all symbols, before commissions."""
        return self._portfolio.realised_pnl

    @property
    def unrealised_pnl(self) -> Decimal:
        """Unrealised P&L of all open positions."""
        return self._portfolio.unrealised_pnl

    def quantity(self, symbol: str) -> Decimal:
        """Signed position size (0 when flat or never traded)."""
        position = self._portfolio.position(symbol)
        return position.quantity if position is not None else ZERO

    def is_flat(self, symbol: str) -> bool:
        """True when no position is held in ``symbol``."""
        return not self.quantity(symbol)

    def is_long(self, symbol: str) -> bool:
        """True when a long position is held in ``symbol``."""
        return self.quantity(symbol) > 0

    def mark(self, symbol: str) -> Decimal | None:
        """Latest known price of ``symbol``."""
        return self._portfolio.price(symbol)

    def avg_price(self, symbol: str) -> Decimal | None:
        """Average entry price of the open position, None when flat."""
        position = self._portfolio.position(symbol)
        return position.avg_price if position is not None else None

    def cost_basis(self, symbol: str) -> Decimal:
        """Signed cost of the open position."""
        position = self._portfolio.position(symbol)
        return position.cost if position is not None else ZERO

    def market_value(self, symbol: str) -> Decimal:
        """Signed value of the position at its mark."""
        quantity = self.quantity(symbol)
        return quantity * self._portfolio.marks[symbol] if quantity else ZERO

    def exposure(self, symbol: str) -> Decimal:
        """Absolute value of the position at its mark."""
        return abs(self.market_value(symbol))

    def unrealised_pnl_of(self, symbol: str) -> Decimal:
        """Unrealised P&L of one symbol's position."""
        return self.market_value(symbol) - self.cost_basis(symbol)

    def realised_pnl_of(self, symbol: str) -> Decimal:
        """Realised price P&L of one symbol."""
        position = self._portfolio.position(symbol)
        return position.realised_pnl if position is not None else ZERO

    def open_symbols(self) -> list[str]:
        """Symbols with a non-zero position, sorted."""
        return sorted(s for s, p in self._portfolio.positions.items() if p.quantity)

    def exposures(self) -> dict[str, Decimal]:
        """Absolute exposure of every open position."""
        return {symbol: self.exposure(symbol) for symbol in self.open_symbols()}
