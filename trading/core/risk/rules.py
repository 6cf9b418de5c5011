"""Upstream: trading.core.catalog
Downstream: trading.core.enums, trading.core.market, trading.core.orders.order, trading.core.params, trading.core.risk.base, trading.core.signals
Role: the built-in risk rules: loss limit per position, position ratio, order rate, daily loss kill switch."""

import dataclasses
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Annotated, Any

from trading.core.enums import SignalDirection
from trading.core.market import PriceUpdate
from trading.core.orders.order import Order
from trading.core.params import Param
from trading.core.risk.base import Blocked, Halt, RiskContext, RiskManager, is_reducing
from trading.core.signals import Signal

_ONE_SECOND = timedelta(seconds=1)


def _fraction(description: str) -> Param:
    return Param(description, minimum=0, min_exclusive=True, maximum=1)


@dataclass(frozen=True, slots=True)
class LossLimitConfig:
    """Settings of loss_limit."""

    max_loss: Annotated[
        Decimal, _fraction("largest unrealised loss, as a fraction of the cost basis")
    ] = Decimal("0.10")


class LossLimitRisk(RiskManager):
    """Closes a position whose unrealised loss passes ``max_loss`` of its cost basis.

    The close signal is emitted on the price update that shows the breach (and again on later
    updates until an order is working); until the position is flat, only orders that reduce it
    pass for that symbol.
    """

    def __init__(self, config: LossLimitConfig) -> None:
        self.config = config
        self._breached: set[str] = set()

    def on_price(self, update: PriceUpdate, context: RiskContext) -> Sequence[Signal | Halt]:
        symbol = update.symbol
        portfolio = context.portfolio
        if portfolio.is_flat(symbol):
            self._breached.discard(symbol)
            return ()
        cost = abs(portfolio.cost_basis(symbol))
        loss = -portfolio.unrealised_pnl_of(symbol)
        if not cost or loss <= cost * self.config.max_loss:
            return ()
        self._breached.add(symbol)
        if symbol in context.pending:
            return ()
        reason = f"loss limit: down {loss / cost:.2%}, limit {self.config.max_loss:.2%}"
        return (Signal(symbol, SignalDirection.CLOSE, context.clock.now(), reason),)

    def check(self, order: Order, context: RiskContext) -> Order | Blocked:
        if order.symbol in self._breached and not is_reducing(
            order, context.portfolio.quantity(order.symbol)
        ):
            return Blocked(f"{order.symbol} is past its loss limit; only reducing orders pass")
        return order

    def get_state(self) -> dict[str, Any]:
        return {"breached": sorted(self._breached)}

    def set_state(self, state: Mapping[str, Any]) -> None:
        self._breached = set(state["breached"])


@dataclass(frozen=True, slots=True)
class PositionRatioConfig:
    """Settings of position_ratio."""

    max_ratio: Annotated[
        Decimal, _fraction("largest value of one symbol, as a fraction of equity")
    ] = Decimal("0.20")


class PositionRatioRisk(RiskManager):
    """Cuts an order that would make one symbol worth more than ``max_ratio`` of equity down
    to the whole quantity that still fits; blocks it if none does. Reductions always pass."""

    def __init__(self, config: PositionRatioConfig) -> None:
        self.config = config

    def check(self, order: Order, context: RiskContext) -> Order | Blocked:
        portfolio = context.portfolio
        held = portfolio.quantity(order.symbol)
        if is_reducing(order, held):
            return order
        price = order.limit_price or order.stop_price or portfolio.mark(order.symbol)
        equity = portfolio.equity
        if price is None or equity <= 0:
            return Blocked(f"cannot value {order.symbol} against equity {equity}")
        ceiling = (equity * self.config.max_ratio / price).to_integral_value(ROUND_FLOOR)
        same_direction = held * order.side.sign >= 0
        # Units that only bring the position back to flat never add exposure.
        allowed = ceiling - abs(held) if same_direction else abs(held) + ceiling
        if order.quantity <= allowed:
            return order
        if allowed <= 0:
            return Blocked(
                f"{order.symbol} would exceed {self.config.max_ratio:.0%} of equity "
                "and no whole quantity fits"
            )
        return dataclasses.replace(order, quantity=allowed)


@dataclass(frozen=True, slots=True)
class OrderRateConfig:
    """Settings of order_rate."""

    max_per_second: Annotated[
        int, Param("orders allowed in any one second", minimum=1, maximum=100_000)
    ] = 10


class OrderRateRisk(RiskManager):
    """Blocks orders beyond ``max_per_second`` within any one-second window of clock time."""

    def __init__(self, config: OrderRateConfig) -> None:
        self.config = config
        self._sent: deque[datetime] = deque()

    def check(self, order: Order, context: RiskContext) -> Order | Blocked:
        now = context.clock.now()
        sent = self._sent
        # Forward from what was sent (never back from now: a clock may stand at its dawn).
        while sent and sent[0] + _ONE_SECOND <= now:
            sent.popleft()
        if len(sent) >= self.config.max_per_second:
            return Blocked(f"more than {self.config.max_per_second} orders in one second")
        return order

    def on_submitted(self, order: Order, context: RiskContext) -> None:
        self._sent.append(context.clock.now())

    def get_state(self) -> dict[str, Any]:
        return {"sent": [time.isoformat() for time in self._sent]}

    def set_state(self, state: Mapping[str, Any]) -> None:
        self._sent = deque(datetime.fromisoformat(text) for text in state["sent"])


@dataclass(frozen=True, slots=True)
class DailyLossConfig:
    """Settings of daily_loss."""

    max_daily_loss: Annotated[
        Decimal, _fraction("largest fall in a day, as a fraction of start-of-day equity")
    ] = Decimal("0.05")


class DailyLossLimit(RiskManager):
    """Kill switch: halts the portfolio when equity falls more than ``max_daily_loss`` below
    its value at the start of the (UTC) day; only a reset lifts the halt."""

    def __init__(self, config: DailyLossConfig) -> None:
        self.config = config
        self._day: date | None = None
        self._baseline = Decimal(0)
        self._last_equity: Decimal | None = None

    def on_price(self, update: PriceUpdate, context: RiskContext) -> Sequence[Signal | Halt]:
        equity = context.portfolio.equity
        day = update.time.date()
        if day != self._day:
            # The day starts from where the previous one ended, so an opening gap counts.
            self._day = day
            self._baseline = self._last_equity if self._last_equity is not None else equity
        self._last_equity = equity
        baseline = self._baseline
        if baseline <= 0 or baseline - equity <= baseline * self.config.max_daily_loss:
            return ()
        loss = (baseline - equity) / baseline
        return (Halt(f"daily loss {loss:.2%} exceeds {self.config.max_daily_loss:.2%}"),)

    def on_reset(self, context: RiskContext) -> None:
        self._baseline = context.portfolio.equity

    def get_state(self) -> dict[str, Any]:
        return {
            "day": self._day.isoformat() if self._day else None,
            "baseline": str(self._baseline),
            "last_equity": None if self._last_equity is None else str(self._last_equity),
        }

    def set_state(self, state: Mapping[str, Any]) -> None:
        self._day = date.fromisoformat(state["day"]) if state["day"] else None
        self._baseline = Decimal(state["baseline"])
        last = state["last_equity"]
        self._last_equity = None if last is None else Decimal(last)
