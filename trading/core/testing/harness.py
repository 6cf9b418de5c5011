"""Upstream: (entry point: test suites)
Downstream: trading.core.accounting.portfolio, trading.core.accounting.view, trading.core.clock, trading.core.enums, trading.core.market, trading.core.orders.events, trading.core.signals, trading.core.strategies.base
Role: StrategyHarness: runs one strategy against a real portfolio, filling its signals at once, to test strategy logic alone."""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from trading.core.accounting.portfolio import Portfolio
from trading.core.accounting.view import PortfolioView
from trading.core.clock import TestClock
from trading.core.enums import Side, SignalDirection
from trading.core.market import Bar, PriceUpdate, last_price
from trading.core.orders.events import Fill
from trading.core.signals import Signal
from trading.core.strategies.base import Strategy, StrategyContext


class StrategyHarness:
    """Drives a strategy bar by bar and fills every signal immediately at the update's price
    (buys by the quantity hint, default 1; sells and closes the whole position), so a test
    sees exactly which signals a strategy gives and how its position evolves."""

    __test__ = False

    def __init__(
        self,
        strategy: Strategy[Any],
        symbols: Iterable[str] = ("AAA",),
        capital: Decimal = Decimal(1_000_000),
        *,
        execute: bool = True,
    ) -> None:
        self.strategy = strategy
        self.portfolio = Portfolio(capital)
        self.clock = TestClock()
        self.execute = execute
        self._context = StrategyContext(
            "harness", tuple(symbols), PortfolioView(self.portfolio), self.clock
        )
        self._fills = 0
        strategy.bind(self._context)
        strategy.on_start()

    def feed(self, update: PriceUpdate) -> list[Signal]:
        """Show the strategy one update; returns the signals it gave (already filled)."""
        self.clock.set(update.time)
        self.portfolio.mark(update.symbol, last_price(update))
        if isinstance(update, Bar):
            self.strategy.on_bar(update)
        else:
            self.strategy.on_tick(update)
        signals = list(self._context.signals)
        self._context.signals.clear()
        if self.execute:
            for signal in signals:
                self._fill(signal, last_price(update))
        return signals

    def run(self, updates: Iterable[PriceUpdate]) -> list[Signal]:
        """Feed every update; returns all signals in order."""
        return [signal for update in updates for signal in self.feed(update)]

    def restart_with(self, strategy: Strategy[Any], state: Mapping[str, Any]) -> None:
        """Carry on with a new strategy instance resumed from ``state`` (as after a move to
        another machine): same portfolio, same clock, new object."""
        self.strategy = strategy
        strategy.bind(self._context)
        strategy.set_state(state)
        strategy.on_start()

    def hold(self, symbol: str, quantity: Decimal, price: Decimal) -> None:
        """Give the portfolio a position without the strategy asking for it."""
        self._book(symbol, Side.BUY if quantity > 0 else Side.SELL, abs(quantity), price)

    def _fill(self, signal: Signal, price: Decimal) -> None:
        held = self.portfolio.position(signal.symbol)
        quantity = held.quantity if held is not None else Decimal(0)
        if signal.direction is SignalDirection.BUY:
            self._book(signal.symbol, Side.BUY, signal.quantity or Decimal(1), price)
        elif quantity:
            side = Side.SELL if quantity > 0 else Side.BUY
            if signal.direction is SignalDirection.CLOSE or side is Side.SELL:
                self._book(signal.symbol, side, abs(quantity), price)

    def _book(self, symbol: str, side: Side, quantity: Decimal, price: Decimal) -> None:
        self._fills += 1
        self.portfolio.apply_fill(
            Fill(
                f"H-{self._fills}",
                f"H-{self._fills}",
                symbol,
                side,
                quantity,
                price,
                Decimal(0),
                self.clock.now(),
            )
        )
