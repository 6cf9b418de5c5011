"""Upstream: bench.backtest_speed, trading.livecore.paper, trading.livecore.runtime, trading.management.commands.backtest, trading.services.backtests, trading.services.portfolio_verify, trading.services.replays
Downstream: trading.core.accounting.buying_power, trading.core.accounting.portfolio, trading.core.backtest.metrics, trading.core.backtest.result, trading.core.catalog, trading.core.clock, trading.core.config, trading.core.events, trading.core.market, trading.core.matching.commissions, trading.core.matching.engine, trading.core.matching.slippage, trading.core.orders.events, trading.core.orders.state, trading.core.pipeline, trading.core.registry, trading.core.reload
Role: the synchronous backtest driver: feeds price updates through the shared pipeline and the paper matching engine."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from trading.core.accounting.buying_power import CashAccounts
from trading.core.accounting.portfolio import Portfolio
from trading.core.backtest.metrics import EquityCurve, PriceSeries, RoundTrip, run_statistics
from trading.core.backtest.result import BacktestResult, OrderRecord
from trading.core.catalog import builtin_registry
from trading.core.clock import TestClock
from trading.core.config import PortfolioConfig, build_pipeline
from trading.core.events import DomainEvent, OrderSubmitted, PositionClosed, StrategyErrored
from trading.core.market import PriceUpdate, last_price
from trading.core.matching.commissions import NO_COMMISSION, CommissionModel
from trading.core.matching.engine import PaperMatchingEngine
from trading.core.matching.slippage import NO_SLIPPAGE, SlippageModel
from trading.core.orders.events import ExecutionReport, Fill
from trading.core.orders.state import TrackedOrder
from trading.core.pipeline import PortfolioPipeline
from trading.core.registry import ComponentRegistry
from trading.core.reload import carry_state, reload_carry


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
        return backtest_versions([Span(self.config, updates)], self.execution, self._registry)


@dataclass(frozen=True, slots=True)
class Span:
    """One configuration version of a portfolio and the price updates it ran on."""

    config: PortfolioConfig
    updates: Iterable[PriceUpdate]


def backtest_versions(
    spans: Iterable[Span],
    execution: ExecutionSettings | None = None,
    registry: ComponentRegistry | None = None,
) -> BacktestResult:
    """Run configuration versions one after the other, each over its own updates, the way a
    node reloads a portfolio from one version to the next: the new version's pipeline
    starts from the fills so far (cash and positions rebuilt on its capital, as a node
    rebuilds them from the database), takes over the working orders, and keeps the
    strategy's and the risk rules' state where the reload rule (trading.core.reload) keeps
    them. One venue serves every span; the result scores the whole run."""
    execution = execution or ExecutionSettings()
    registry = registry or builtin_registry()
    clock = TestClock()
    remaining = iter(spans)
    first = next(remaining, None)
    if first is None:
        raise ValueError("a backtest needs at least one span")
    capital = first.config.initial_capital
    venue = PaperMatchingEngine(
        "backtest",
        commission=execution.commission,
        slippage=execution.slippage,
        volume_limit=execution.volume_limit,
        # The venue serves this one portfolio; it checks buying power as the paper
        # gateway does (trading.core.accounting.buying_power).
        accounts=CashAccounts(lambda _portfolio_id: capital),
    )
    pipeline = build_pipeline(
        first.config, clock=clock, registry=registry, commission=execution.commission
    )
    run = _Run(pipeline, venue)
    run.handle(pipeline.start())
    run.feed(first.updates, clock)
    config = first.config
    for run_epoch, span in enumerate(remaining, start=1):
        run.handle(run.pipeline.stop())
        run.pipeline = _reloaded(run, config, span.config, clock, registry, execution, run_epoch)
        run.handle(run.pipeline.start())
        run.feed(span.updates, clock)
        config = span.config
    run.handle(run.pipeline.stop())
    return run.result()


def _reloaded(
    run: "_Run",
    old: PortfolioConfig,
    new: PortfolioConfig,
    clock: TestClock,
    registry: ComponentRegistry,
    execution: ExecutionSettings,
    run_epoch: int,
) -> PortfolioPipeline:
    """The pipeline of ``new`` replacing ``run``'s (stopped) one, as a node's reload builds
    it; a new run epoch, so its order ids never repeat the old ones'."""
    pipeline = build_pipeline(
        new,
        clock=clock,
        registry=registry,
        portfolio=Portfolio.rebuild(new.initial_capital, run.fills),
        commission=execution.commission,
        run_epoch=run_epoch,
    )
    pipeline.load_orders(run.pipeline.open_orders)
    carry_state(pipeline, run.pipeline.checkpoint(), reload_carry(old, new))
    return pipeline


class _Run:
    """The mutable bookkeeping of one backtest run."""

    __slots__ = (
        "bars",
        "curve",
        "end",
        "error",
        "fills",
        "orders",
        "pipeline",
        "prices",
        "start",
        "trips",
        "venue",
    )

    def __init__(self, pipeline: PortfolioPipeline, venue: PaperMatchingEngine) -> None:
        self.pipeline = pipeline
        self.venue = venue
        self.curve = EquityCurve()
        self.fills: list[Fill] = []
        self.orders: list[TrackedOrder] = []
        self.trips: list[RoundTrip] = []
        # symbol -> (times, prices): columns, like the equity curve's.
        self.prices: dict[str, tuple[list[datetime], list[Decimal]]] = {}
        self.bars = 0
        self.error: str | None = None
        self.start: datetime | None = None
        self.end: datetime | None = None

    def feed(self, updates: Iterable[PriceUpdate], clock: TestClock) -> None:
        # The hottest loop of a backtest: bound methods are looked up once.
        set_time = clock.set
        match = self.venue.on_price
        on_price = self.pipeline.on_price
        record = self.curve.record
        view = self.pipeline.view
        prices = self.prices
        handle, deliver = self.handle, self.deliver
        # A run over several spans feeds each in turn: counts and times carry on.
        bars = self.bars
        when = self.end
        for update in updates:
            when = update.time
            set_time(when)
            reports = match(update)
            if reports:
                deliver(reports)
            events = on_price(update)
            if events:
                handle(events)
            record(when, view.equity, view.cash)
            columns = prices.get(update.symbol)
            if columns is None:
                columns = prices[update.symbol] = ([], [])
            columns[0].append(when)
            columns[1].append(last_price(update))
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
                self.trips.append(RoundTrip(event.symbol, event.time, event.realised_pnl))
            elif isinstance(event, StrategyErrored):
                self.error = event.error

    def result(self) -> BacktestResult:
        view = self.pipeline.view
        initial = view.initial_capital
        curve = self.curve.series()
        trips = tuple(self.trips)
        return BacktestResult(
            initial_capital=initial,
            final_value=view.equity,
            cash=view.cash,
            statistics=run_statistics(initial, curve, trips),
            trades=tuple(self.fills),
            trips=trips,
            orders=tuple(OrderRecord.of(tracked) for tracked in self.orders),
            equity=curve,
            prices={
                symbol: PriceSeries(tuple(times), tuple(prices))
                for symbol, (times, prices) in self.prices.items()
            },
            bars=self.bars,
            start=self.start,
            end=self.end,
            strategy_error=self.error,
        )
