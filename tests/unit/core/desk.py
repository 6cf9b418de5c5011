"""Upstream: (entry point: pytest; shared by the pipeline tests)
Downstream: trading.core.accounting.portfolio, trading.core.clock, trading.core.events, trading.core.pipeline, trading.core.risk.base, trading.core.sizers, trading.core.testing.builders, trading.core.testing.doubles
Role: Desk, a pipeline with a scripted strategy driven minute by minute, for the pipeline tests."""

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from trading.core.accounting.portfolio import Portfolio
from trading.core.clock import TestClock
from trading.core.events import DomainEvent, OrderSubmitted
from trading.core.pipeline import PortfolioPipeline
from trading.core.risk.base import RiskManager
from trading.core.sizers import SignalSizer, Sizer
from trading.core.testing.builders import T0, bar
from trading.core.testing.doubles import ScriptedStrategy


class Desk:
    """A pipeline with a scripted strategy, driven minute by minute."""

    def __init__(
        self,
        *,
        sizer: Sizer | None = None,
        risks: Sequence[RiskManager] = (),
        capital: int = 10_000,
        run_epoch: int = 0,
    ) -> None:
        self.clock = TestClock(T0)
        self.strategy = ScriptedStrategy()
        self.pipeline = PortfolioPipeline(
            portfolio_id="P1",
            symbols=("AAA", "BBB"),
            portfolio=Portfolio(Decimal(capital)),
            strategy=self.strategy,
            sizer=sizer or SignalSizer(),
            clock=self.clock,
            risk_managers=risks,
            run_epoch=run_epoch,
        )
        self.minute = 0

    def bar(
        self, close: int | str = 100, symbol: str = "AAA", *, same_time: bool = False
    ) -> list[DomainEvent]:
        self.minute += 0 if same_time else 1
        time = T0 + timedelta(minutes=self.minute)
        self.clock.set(time)
        return self.pipeline.on_price(bar(close, symbol=symbol, time=time))

    def submitted(self, events: list[DomainEvent]) -> list[OrderSubmitted]:
        return [e for e in events if isinstance(e, OrderSubmitted)]
