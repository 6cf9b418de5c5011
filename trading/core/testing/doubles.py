"""Upstream: (entry point: test suites)
Downstream: trading.core.market, trading.core.strategies.base
Role: test doubles for strategies: a scripted strategy that does what a test tells it, one step per price update."""

from collections import deque
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from trading.core.market import Bar, PriceUpdate, Tick
from trading.core.strategies.base import Strategy

Action = Callable[["ScriptedStrategy"], None]


class ScriptedStrategy(Strategy[None]):
    """Runs one scheduled action per price update (none scheduled: does nothing) and
    remembers every update it saw; ``will_raise`` makes the next update blow up."""

    def __init__(self, config: None = None) -> None:
        super().__init__(config)
        self.seen: list[PriceUpdate] = []
        self.started = self.stopped = False
        self.restored: dict[str, Any] | None = None
        self._script: deque[Action] = deque()

    def will(self, action: Action) -> "ScriptedStrategy":
        """Schedule ``action(strategy)`` for the next price update."""
        self._script.append(action)
        return self

    def will_buy(
        self, symbol: str = "AAA", quantity: Decimal | int | None = None
    ) -> "ScriptedStrategy":
        """Schedule a buy signal (with a quantity hint if given)."""
        hint = Decimal(quantity) if quantity is not None else None
        return self.will(lambda s: s.buy(symbol, quantity=hint, reason="scripted buy"))

    def will_sell(self, symbol: str = "AAA") -> "ScriptedStrategy":
        """Schedule a sell signal."""
        return self.will(lambda s: s.sell(symbol, reason="scripted sell"))

    def will_close(self, symbol: str = "AAA") -> "ScriptedStrategy":
        """Schedule a close signal."""
        return self.will(lambda s: s.close(symbol, reason="scripted close"))

    def will_raise(self, error: Exception) -> "ScriptedStrategy":
        """Make the next update raise ``error``."""

        def explode(strategy: ScriptedStrategy) -> None:
            raise error

        return self.will(explode)

    def on_start(self) -> None:
        self.started = True

    def on_stop(self) -> None:
        self.stopped = True

    def on_bar(self, bar: Bar) -> None:
        self._step(bar)

    def on_tick(self, tick: Tick) -> None:
        self._step(tick)

    def get_state(self) -> dict[str, Any]:
        return {"seen": len(self.seen)}

    def set_state(self, state: Mapping[str, Any]) -> None:
        self.restored = dict(state)

    def _step(self, update: PriceUpdate) -> None:
        self.seen.append(update)
        if self._script:
            self._script.popleft()(self)
