"""Upstream: bench.backtest_speed, trading.livecore.paper, trading.livecore.runtime, trading.management.commands.backtest, trading.services.backtests
Downstream: trading.core.accounting.buying_power, trading.core.backtest.metrics, trading.core.backtest.result, trading.core.catalog, trading.core.clock, trading.core.config, trading.core.events, trading.core.market, trading.core.matching.commissions, trading.core.matching.engine, trading.core.matching.slippage, trading.core.orders.events, trading.core.orders.state, trading.core.pipeline, trading.core.registry
Role: the synchronous backtest driver: feeds price updates through the shared pipeline and the paper matching engine."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from trading.core.accounting.buying_power import CashAccounts
from trading.core.backtest.metrics import PerformanceTracker
from trading.core.backtest.result import BacktestResult, OrderRecord
from trading.core.catalog import builtin_registry
from trading.core.clock import TestClock
from trading.core.config import PortfolioConfig, build_pipeline
from trading.core.events import DomainEvent, OrderSubmitted, PositionClosed, StrategyErrored
from trading.core.market import PriceUpdate
from trading.core.matching.commissions import NO_COMMISSION, CommissionModel
from trading.core.matching.engine import PaperMatchingEngine
from trading.core.matching.slippage import NO_SLIPPAGE, SlippageModel
from trading.core.orders.events import ExecutionReport, Fill
from trading.core.orders.state import TrackedOrder
from trading.core.pipeline import PortfolioPipeline
from trading.core.registry import ComponentRegistry


@dataclass(frozen=True, slots=True)
class ExecutionSettings:
    """How the simulated venue executes: costs and the share of volume one fill may take."""

    commission: CommissionModel = NO_COMMISSION
    slippage: SlippageModel = NO_SLIPPAGE
    volume_limit: Decimal | None = None


class BacktestEngine:
    """Runs a portfolio config over a stream of price updates (any iterable: a CSV file now,
    a bar store later), through exactly the pipeline a live node runs.

    On every update: the venue matches working orders first (an order made on the previous
    update trades now, or is rejected when the cash cannot pay for it at that price), then
    the pipeline marks, runs risk and the strategy, and its new orders go to the venue.
    Orders made on the last update never fill. Same input, same output.
    """

    def __init__(
        self,
        config: PortfolioConfig,
        execution: ExecutionSettings | None = None,
        registry: ComponentRegistry | None = None,
    ) -> None:
        self.config = config
        self.execution = execution or ExecutionSettings()
        self._registry = registry or builtin_registry()

    def run(self, updates: Iterable[PriceUpdate]) -> BacktestResult:
        """Run the whole stream and score it."""
        execution = self.execution
        clock = TestClock()
        pipeline = build_pipeline(
            self.config, clock=clock, registry=self._registry, commission=execution.commission
        )
        capital = self.config.initial_capital
        venue = PaperMatchingEngine(
            "backtest",
            commission=execution.commission,
            slippage=execution.slippage,
            volume_limit=execution.volume_limit,
            # The venue serves this one portfolio; it checks buying power as the paper
            # gateway does (trading.core.accounting.buying_power).
            accounts=CashAccounts(lambda _portfolio_id: capital),
        )
        run = _Run(pipeline, venue, PerformanceTracker(self.config.initial_capital))
        run.handle(pipeline.start())
        run.feed(updates, clock)
        run.handle(pipeline.stop())
        return run.result()


class _Run:
    """The mutable bookkeeping of one backtest run."""

    __slots__ = (
        "bars",
        "end",
        "error",
        "fills",
        "orders",
        "pipeline",
        "start",
        "tracker",
        "trips",
        "venue",
        "wins",
    )

    def __init__(
        self, pipeline: PortfolioPipeline, venue: PaperMatchingEngine, tracker: PerformanceTracker
    ) -> None:
        self.pipeline = pipeline
        self.venue = venue
        self.tracker = tracker
        self.fills: list[Fill] = []
        self.orders: list[TrackedOrder] = []
        self.trips = self.wins = self.bars = 0
        self.error: str | None = None
        self.start: datetime | None = None
        self.end: datetime | None = None

    def feed(self, updates: Iterable[PriceUpdate], clock: TestClock) -> None:
        # The hottest loop of a backtest: bound methods are looked up once.
        set_time = clock.set
        match = self.venue.on_price
        on_price = self.pipeline.on_price
        record = self.tracker.record
        view = self.pipeline.view
        handle, deliver = self.handle, self.deliver
        bars = 0
        when = None
        for update in updates:
            when = update.time
            set_time(when)
            reports = match(update)
            if reports:
                deliver(reports)
            events = on_price(update)
            if events:
                handle(events)
            record(when, view.equity)
            if not bars:
                self.start = when
            bars += 1
        self.bars = bars
        self.end = when

    def deliver(self, reports: list[ExecutionReport]) -> None:
        pipeline = self.pipeline
        for report in reports:
            if isinstance(report, Fill):
                self.fills.append(report)
                self.handle(pipeline.on_fill(report))
            else:
                self.handle(pipeline.on_order_event(report))

    def handle(self, events: list[DomainEvent]) -> None:
        for event in events:
            if isinstance(event, OrderSubmitted):
                order = event.order
                tracked = self.pipeline.order(order.client_order_id)
                if tracked is not None:
                    self.orders.append(tracked)
                self.deliver(self.venue.submit(order, order.created_at))
            elif isinstance(event, PositionClosed):
                self.trips += 1
                self.wins += event.realised_pnl > 0
            elif isinstance(event, StrategyErrored):
                self.error = event.error

    def result(self) -> BacktestResult:
        view = self.pipeline.view
        initial = view.initial_capital
        final = view.equity
        return BacktestResult(
            initial_capital=initial,
            final_value=final,
            cash=view.cash,
            total_return=float(final / initial - 1),
            max_drawdown=self.tracker.max_drawdown,
            sharpe=self.tracker.sharpe(),
            round_trips=self.trips,
            win_rate=self.wins / self.trips if self.trips else None,
            trades=tuple(self.fills),
            orders=tuple(OrderRecord.of(tracked) for tracked in self.orders),
            bars=self.bars,
            start=self.start,
            end=self.end,
            strategy_error=self.error,
        )
