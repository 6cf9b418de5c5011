"""Upstream: trading.core.config, trading.core.pipeline, trading.core.risk.engine, trading.core.risk.rules
Downstream: trading.core.accounting.view, trading.core.clock, trading.core.enums, trading.core.market, trading.core.orders.order, trading.core.signals
Role: the RiskManager interface: check orders (pass, shrink, block), watch prices (emit close signals, halt)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from trading.core.accounting.view import PortfolioView
from trading.core.clock import Clock
from trading.core.enums import Side
from trading.core.market import PriceUpdate
from trading.core.orders.order import Order
from trading.core.signals import Signal


@dataclass(frozen=True, slots=True)
class Blocked:
    """A risk verdict: the order must not leave. ``by`` names the rule (filled in by the chain)."""

    reason: str
    by: str = ""


@dataclass(frozen=True, slots=True)
class Halt:
    """A request from a rule to stop the portfolio from taking new risk (kill switch)."""

    reason: str


class RiskContext:
    """What a risk manager may look at: the portfolio, the clock, and which symbols have an
    order working (symbol -> client order id)."""

    __slots__ = ("clock", "pending", "portfolio", "portfolio_id")

    def __init__(
        self,
        portfolio_id: str,
        portfolio: PortfolioView,
        clock: Clock,
        pending: Mapping[str, str],
    ) -> None:
        self.portfolio_id = portfolio_id
        self.portfolio = portfolio
        self.clock = clock
        self.pending = pending


class RiskManager:
    """Base of every risk rule; override only the hooks the rule needs.

    The chain calls :meth:`check` on every order before it leaves, in configured order; a rule
    returns the order (maybe shrunk with ``dataclasses.replace``) or :class:`Blocked`.
    :meth:`on_price` runs on every price update, before the strategy, and may return close
    signals (handled like strategy signals) or a :class:`Halt`.
    """

    def check(self, order: Order, context: RiskContext) -> Order | Blocked:
        """Pass, shrink or block ``order``."""
        return order

    def on_price(self, update: PriceUpdate, context: RiskContext) -> Sequence[Signal | Halt]:
        """React to a price update (after the portfolio was marked)."""
        return ()

    def on_submitted(self, order: Order, context: RiskContext) -> None:
        """Called once an order passed the whole chain and leaves."""

    def on_reset(self, context: RiskContext) -> None:
        """Called when an operator resets the portfolio's risk state."""

    def get_state(self) -> dict[str, Any]:
        """What the rule remembers, as a JSON-ready dict."""
        return {}

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Continue from :meth:`get_state` output."""


def is_reducing(order: Order, position: Decimal) -> bool:
    """True if ``order`` only shrinks the signed ``position`` (never flips or opens one)."""
    if order.side is Side.SELL:
        return order.quantity <= position
    return order.quantity <= -position
