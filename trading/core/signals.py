"""Upstream: trading.core.events, trading.core.pipeline, trading.core.risk.base, trading.core.risk.engine, trading.core.risk.rules, trading.core.sizers, trading.core.strategies.base, trading.core.testing.harness
Downstream: trading.core.enums
Role: the Signal: what a strategy or risk manager wants (symbol, direction, reason); sizers decide how much."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from trading.core.enums import SignalDirection


@dataclass(frozen=True, slots=True)
class Signal:
    """An intent to trade; ``quantity`` is only a hint that a sizer may use or ignore."""

    symbol: str
    direction: SignalDirection
    time: datetime
    reason: str = ""
    quantity: Decimal | None = None
