"""Upstream: (entry point: pytest; shared by the node unit and integration tests)
Downstream: trading.bus.mapping, trading.bus.messages, trading.core.catalog, trading.core.config, trading.core.market, trading.core.orders.order, trading.core.params, trading.core.registry, trading.core.strategies.base, trading.core.testing.builders, trading.node.inbox, trading.node.loader, trading.node.processor
Role: a test registry with misbehaving strategies (one that raises, one that is slow), configs, and a recording processor output."""

import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any

from trading.bus.mapping import price_message
from trading.bus.messages import PriceBar
from trading.core.catalog import builtin_registry
from trading.core.config import PortfolioConfig
from trading.core.market import Bar
from trading.core.orders.order import Order
from trading.core.params import Param
from trading.core.registry import ComponentKind, ComponentRegistry, ComponentSpec
from trading.core.strategies.base import Strategy
from trading.core.testing.builders import T0, bar
from trading.node.inbox import PortfolioInbox
from trading.node.loader import PortfolioRun, build_loaded
from trading.node.processor import PortfolioProcessor


@dataclass(frozen=True, slots=True)
class ExplodeConfig:
    after: Annotated[int, Param("bars to trade before raising", minimum=0)] = 0


class Explode(Strategy[ExplodeConfig]):
    """Buys on every bar until ``after`` bars were seen, then raises."""

    def __init__(self, config: ExplodeConfig) -> None:
        super().__init__(config)
        self.seen = 0

    def on_bar(self, bar: Bar) -> None:
        self.seen += 1
        if self.seen > self.config.after:
            raise RuntimeError("strategy bug")


@dataclass(frozen=True, slots=True)
class SlowConfig:
    delay: Annotated[float, Param("seconds spent on every bar", minimum=0)] = 0.01


class Slow(Strategy[SlowConfig]):
    """Takes ``delay`` seconds over every bar and never trades: a portfolio that lags."""

    def on_bar(self, bar: Bar) -> None:
        time.sleep(self.config.delay)


def misbehaving_registry() -> ComponentRegistry:
    """The built-in components plus ``explode`` and ``slow``."""
    registry = builtin_registry()
    registry.register(ComponentKind.STRATEGY, "explode", ExplodeConfig, Explode)
    registry.register(ComponentKind.STRATEGY, "slow", SlowConfig, Slow)
    return registry


def config(
    portfolio_id: str = "P1",
    symbols: tuple[str, ...] = ("AAA", "BBB"),
    strategy: str = "random",
    **params: Any,
) -> PortfolioConfig:
    """A portfolio config; ``random`` acts on every bar unless told otherwise."""
    if strategy == "random":
        params = {"rate": 1.0, "size": 10, **params}
    return PortfolioConfig(
        portfolio_id=portfolio_id,
        symbols=symbols,
        initial_capital=Decimal(100_000),
        strategy=ComponentSpec(strategy, params),
    )


@dataclass
class RecordingOutput:
    """A processor output that keeps what it was given."""

    orders: list[Order] = field(default_factory=list)
    notices: list[tuple[str, str, str]] = field(default_factory=list)
    fail_next: bool = False

    def submit(self, order: Order) -> None:
        if self.fail_next:
            self.fail_next = False
            raise BufferError("producer queue full")
        self.orders.append(order)

    def notice(self, portfolio_id: str, text: str, *, kind: str) -> None:
        self.notices.append((portfolio_id, text, kind))


# How long the kit's processors hold an update for fills no venue will send.
SHORT_WAIT = 0.2


def processor(portfolio: PortfolioConfig, output: RecordingOutput) -> PortfolioProcessor:
    """A processor of ``portfolio`` in run epoch 3 (order ids ``{id}-3-N``), not started; an
    update waits at most ``SHORT_WAIT`` s for fills (no venue answers here)."""
    loaded = build_loaded(PortfolioRun(portfolio, 3, (), ()), misbehaving_registry())
    return PortfolioProcessor(loaded, PortfolioInbox(100), output, wait=SHORT_WAIT)


def run(proc: PortfolioProcessor, *items: object) -> None:
    """Queue ``items`` (bar messages as market data, the rest as feedback), then drain and stop."""
    for item in items:
        if isinstance(item, PriceBar):
            proc.inbox.offer(item)
        else:
            proc.inbox.put_urgent(item)  # type: ignore[arg-type]
    proc.inbox.close()
    proc.start()
    proc.thread.join(10)
    assert not proc.thread.is_alive()


def minute(n: int, close: int = 100, symbol: str = "AAA") -> PriceBar:
    """A bar message of ``symbol`` at minute ``n`` after T0."""
    return price_message(bar(close, symbol=symbol, time=T0 + timedelta(minutes=n)))
