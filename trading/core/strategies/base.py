"""Upstream: trading.core.config, trading.core.pipeline, trading.core.strategies.builtin, trading.core.testing.doubles, trading.core.testing.harness
Downstream: trading.core.accounting.view, trading.core.clock, trading.core.enums, trading.core.errors, trading.core.market, trading.core.signals
Role: the Strategy base class (on_start/on_bar/on_tick/on_stop, state for checkpoints) and the context it trades through."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Generic, TypeVar

from trading.core.accounting.view import PortfolioView
from trading.core.clock import Clock
from trading.core.enums import SignalDirection
from trading.core.errors import PipelineError
from trading.core.market import Bar, Tick
from trading.core.signals import Signal

ConfigT = TypeVar("ConfigT")


class StrategyContext:
    """What a running strategy may touch: a read-only portfolio view, the clock, its symbols
    and an outbox of signals the pipeline drains after every hook call."""

    __slots__ = ("clock", "portfolio", "portfolio_id", "signals", "symbols")

    def __init__(
        self, portfolio_id: str, symbols: tuple[str, ...], portfolio: PortfolioView, clock: Clock
    ) -> None:
        self.portfolio_id = portfolio_id
        self.symbols = symbols
        self.portfolio = portfolio
        self.clock = clock
        self.signals: list[Signal] = []


class Strategy(Generic[ConfigT]):
    """Base of every strategy. Override the ``on_*`` hooks and trade with buy/sell/close.

    A strategy holds its settings in ``self.config`` (a frozen dataclass) and whatever it
    needs to remember between bars; ``get_state``/``set_state`` carry that memory across
    machines as JSON-ready dicts, so a moved portfolio continues where it stopped. Signals say
    what to do; the portfolio's sizer decides how much.
    """

    def __init__(self, config: ConfigT) -> None:
        self.config = config
        self._context: StrategyContext | None = None

    def bind(self, context: StrategyContext) -> None:
        """Attach the strategy to the pipeline that runs it."""
        self._context = context

    @property
    def context(self) -> StrategyContext:
        """The context the strategy runs in; fails before :meth:`bind`."""
        if self._context is None:
            raise PipelineError(f"{type(self).__name__} is not bound to a pipeline")
        return self._context

    @property
    def portfolio(self) -> PortfolioView:
        """Read-only view of the portfolio's cash and positions."""
        return self.context.portfolio

    @property
    def clock(self) -> Clock:
        """The pipeline's clock (event time in backtests)."""
        return self.context.clock

    def on_start(self) -> None:
        """Called once before the first price update."""

    def on_bar(self, bar: Bar) -> None:
        """Called on every bar of the portfolio's symbols."""

    def on_tick(self, tick: Tick) -> None:
        """Called on every tick of the portfolio's symbols."""

    def on_stop(self) -> None:
        """Called once when the portfolio stops."""

    def get_state(self) -> dict[str, Any]:
        """What the strategy remembers, as a JSON-ready dict."""
        return {}

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Continue from a dict produced by :meth:`get_state`."""

    def buy(self, symbol: str, *, reason: str = "", quantity: Decimal | None = None) -> None:
        """Ask to open or add to a long position; ``quantity`` is a hint for the sizer."""
        self._emit(symbol, SignalDirection.BUY, reason, quantity)

    def sell(self, symbol: str, *, reason: str = "") -> None:
        """Ask to sell the whole long position in ``symbol``."""
        self._emit(symbol, SignalDirection.SELL, reason, None)

    def close(self, symbol: str, *, reason: str = "") -> None:
        """Ask to flatten whatever position is held in ``symbol``."""
        self._emit(symbol, SignalDirection.CLOSE, reason, None)

    def _emit(
        self, symbol: str, direction: SignalDirection, reason: str, quantity: Decimal | None
    ) -> None:
        context = self.context
        context.signals.append(Signal(symbol, direction, context.clock.now(), reason, quantity))
