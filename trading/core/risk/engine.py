"""Upstream: trading.core.pipeline
Downstream: trading.core.enums, trading.core.events, trading.core.market, trading.core.orders.order, trading.core.risk.base, trading.core.signals
Role: the risk chain of one portfolio: runs its rules in order and holds the ACTIVE / REDUCING / HALTED state."""

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from trading.core.enums import RiskState
from trading.core.events import DomainEvent, RiskHalted, RiskStateChanged
from trading.core.market import PriceUpdate
from trading.core.orders.order import Order
from trading.core.risk.base import Blocked, Halt, RiskContext, RiskManager, is_reducing
from trading.core.signals import Signal


class RiskEngine:
    """Runs a portfolio's risk rules and enforces its risk state.

    ACTIVE lets every order reach the rules. REDUCING and HALTED let only position-reducing
    orders through: REDUCING is set and cleared by hand; HALTED is latched by a rule (a kill
    switch) and stays until :meth:`reset`.
    """

    __slots__ = ("_context", "_managers", "state")

    def __init__(self, managers: Sequence[RiskManager], context: RiskContext) -> None:
        self._managers = tuple(managers)
        self._context = context
        self.state = RiskState.ACTIVE

    @property
    def managers(self) -> tuple[RiskManager, ...]:
        """The rules, in the order they run."""
        return self._managers

    def on_price(self, update: PriceUpdate, events: list[DomainEvent]) -> list[Signal]:
        """Let every rule see the update; returns their signals, records halts in ``events``."""
        signals: list[Signal] = []
        for manager in self._managers:
            for action in manager.on_price(update, self._context):
                if isinstance(action, Halt):
                    self._halt(action.reason, events)
                else:
                    signals.append(action)
        return signals

    def check(self, order: Order) -> Order | Blocked:
        """The order as every rule lets it pass (maybe shrunk), or the first block."""
        context = self._context
        if self.state is not RiskState.ACTIVE and not is_reducing(
            order, context.portfolio.quantity(order.symbol)
        ):
            reason = f"risk state is {self.state}: only position-reducing orders pass"
            return Blocked(reason, "RiskEngine")
        for manager in self._managers:
            verdict = manager.check(order, context)
            if isinstance(verdict, Blocked):
                return dataclasses.replace(verdict, by=verdict.by or type(manager).__name__)
            order = verdict
        return order

    def on_submitted(self, order: Order) -> None:
        """Tell every rule an order left."""
        for manager in self._managers:
            manager.on_submitted(order, self._context)

    def change_state(self, state: RiskState, reason: str) -> list[DomainEvent]:
        """Set the risk state by hand (operator action)."""
        previous, self.state = self.state, state
        if state is RiskState.ACTIVE:
            for manager in self._managers:
                manager.on_reset(self._context)
        context = self._context
        return [
            RiskStateChanged(context.portfolio_id, previous, state, reason, context.clock.now())
        ]

    def reset(self, reason: str = "reset by operator") -> list[DomainEvent]:
        """Back to ACTIVE; rules restart their measurements (e.g. the daily loss baseline)."""
        return self.change_state(RiskState.ACTIVE, reason)

    def checkpoint(self) -> dict[str, Any]:
        """JSON-ready state of the chain and its rules."""
        return {"state": self.state.value, "managers": [m.get_state() for m in self._managers]}

    def restore(self, state: Mapping[str, Any]) -> None:
        """Continue from :meth:`checkpoint` output (same rules, same order)."""
        self.state = RiskState(state["state"])
        for manager, saved in zip(self._managers, state["managers"], strict=True):
            manager.set_state(saved)

    def _halt(self, reason: str, events: list[DomainEvent]) -> None:
        if self.state is RiskState.HALTED:
            return
        self.state = RiskState.HALTED
        context = self._context
        events.append(RiskHalted(context.portfolio_id, reason, context.clock.now()))
