"""Upstream: bench.node_latency, trading.node.host, trading.node.runtime, trading.node.status
Downstream: monitoring.notifications.kinds, monitoring.notifications.limiter, trading.bus.mapping, trading.bus.messages, trading.core.enums, trading.core.events, trading.core.market, trading.core.orders.events, trading.core.orders.order, trading.node.checkpoints, trading.node.inbox, trading.node.loader, trading.node.sequencer, trading.node.spans, trading.node.telemetry, trading.storage.hot_positions
Role: PortfolioProcessor: the one thread that owns a portfolio's pipeline, draining its inbox in the backtest's order (fills before the bar of their time): prices, acks, fills; orders out, errors and risk blocks (rate-limited) reported as notices; live spans."""

import logging
import threading
import time
from collections.abc import Callable, Sized
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from monitoring.notifications import kinds
from monitoring.notifications.limiter import NoticeLimiter
from trading.bus.mapping import price_update
from trading.bus.messages import PriceMessage
from trading.core.enums import RiskState
from trading.core.events import (
    DomainEvent,
    OrderBlocked,
    OrderSubmitted,
    RiskHalted,
    SignalDropped,
    StrategyErrored,
)
from trading.core.market import Bar, Tick
from trading.core.orders.events import Fill
from trading.core.orders.order import Order
from trading.node.checkpoints import Captured, Progress
from trading.node.inbox import PortfolioInbox
from trading.node.loader import LoadedPortfolio
from trading.node.sequencer import DEFAULT_WAIT_SECONDS, EventSequencer, Item
from trading.node.spans import LiveSpan, with_spans
from trading.node.telemetry import Fault, PortfolioSeries, count_fault, count_risk_block
from trading.storage.hot_positions import PositionsSnapshot

logger = logging.getLogger(__name__)


class Status(StrEnum):
    """A portfolio's life-cycle status as ``portfolio:{id}:status`` shows it."""

    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"
    RELOADING = "reloading"
    MIGRATING = "migrating"
    ERROR = "error"


class ProcessorOutput(Protocol):
    """Where a portfolio thread's results go (the node's bus producer, or a bench's fake)."""

    def submit(self, order: Order) -> None:
        """Send an order to the venue."""

    def notice(self, portfolio_id: str, text: str, *, kind: str) -> None:
        """Tell a person about the portfolio (``kind``: monitoring.notifications.kinds, whose
        catalogue level the notice has)."""


class PortfolioProcessor:
    """Runs one portfolio on its own thread; only that thread touches the pipeline.

    The loop takes what the inbox holds (feedback first) into an :class:`EventSequencer`,
    which hands it over in the backtest's order: the fills of a time before the price
    updates of that time, and bars of one time in symbol order, holding an update (at most
    ``wait`` seconds) while a fill or another symbol's bar that goes first is still due.
    Each item handed over is fed to the pipeline, and the loop acts on the events: an
    ``OrderSubmitted`` goes out through ``output.submit``; a strategy
    that raised turns the status to ``error`` with a notice (the core stops calling it,
    while its risk rules and fills go on); an order a risk rule blocked raises a notice at
    most once a minute per rule, which counts the blocks held back since the previous one
    (none while the portfolio is halted: the kill switch notice said so). Anything else a
    pipeline call raises is caught here too: the portfolio goes to ``error`` and takes no
    more prices, but still books fills, and the thread lives on. The loop ends once the
    inbox is closed and drained and nothing is held.
    The first update the portfolio handles under its version opens a live span
    (:attr:`spans`, continuing ``spans``, those of the run before: one of the same version
    carries its span on), and a checkpoint (which holds the spans) is taken at once and
    ``checkpoint_soon`` called, so where live began is saved before the periodic checkpoint.
    Counters and :attr:`positions` (a new immutable snapshot after every fill) are written by
    the portfolio thread only and read by the node's reporter.
    """

    def __init__(
        self,
        loaded: LoadedPortfolio,
        inbox: PortfolioInbox,
        output: ProcessorOutput,
        progress: Progress | None = None,
        checkpoint_interval: float | None = None,
        *,
        spans: tuple[LiveSpan, ...] = (),
        wait: float = DEFAULT_WAIT_SECONDS,
        checkpoint_soon: Callable[[], None] | None = None,
    ) -> None:
        progress = progress or Progress()
        self.config = loaded.config
        self.portfolio_id = loaded.config.portfolio_id
        self.version = loaded.config.version
        self.run_epoch = loaded.run_epoch
        self.inbox = inbox
        self.status = Status.RUNNING
        self.error = ""
        # Updates processed and repeats skipped, carried over from the run this one continues.
        self.processed = progress.processed
        self.repeats = progress.repeats
        # The reload buffer taking this instance's market data while it drains.
        self.buffer: Sized | None = None
        # The newest checkpoint taken every ``checkpoint_interval`` s, for the node to save.
        self.captured: Captured | None = None
        self._symbol_times = dict(progress.symbol_times)
        self._checkpoint_interval = checkpoint_interval
        self._checkpoint_due = time.monotonic() + (checkpoint_interval or 0.0)
        self._checkpoint_soon = checkpoint_soon
        self.orders = 0
        self.blocked = 0
        self.skipped = 0
        # The live spans of earlier versions, and the current version's first update time.
        self._past_spans = spans
        self.first_event_time: datetime | None = None
        self.last_event_time: datetime | None = None
        if spans and spans[-1].version == self.version:
            current = spans[-1]
            self._past_spans = spans[:-1]
            self.first_event_time = current.first_event_time
            self.last_event_time = current.last_event_time
        self.symbols_seen: frozenset[str] = frozenset()
        self._pipeline = loaded.pipeline
        self._ledger = loaded.ledger
        self._clock = loaded.clock
        self._output = output
        self._series = PortfolioSeries(self.portfolio_id)
        self.sequencer = EventSequencer(
            loaded.config.symbols,
            loaded.pipeline,
            wait=wait,
            frontiers=self._symbol_times,
            on_expired=self._series.wait_expired,
        )
        self._faulted = False
        self._block_notices = NoticeLimiter()
        self.positions = PositionsSnapshot.of(
            self._ledger, fills=loaded.fills, as_of=loaded.last_fill_at
        )
        self.thread = threading.Thread(
            target=self.run, name=f"portfolio-{self.portfolio_id}", daemon=True
        )

    def start(self) -> None:
        """Start the portfolio's thread."""
        self.thread.start()

    @property
    def spans(self) -> tuple[LiveSpan, ...]:
        """The live spans, oldest first: one per version that handled updates."""
        first, last = self.first_event_time, self.last_event_time
        if first is None or last is None:
            return self._past_spans
        return (*self._past_spans, LiveSpan(self.version, first, last))

    def run(self) -> None:
        """The thread's body: start the pipeline, drain the inbox through the sequencer,
        stop the pipeline."""
        self._guarded(self._pipeline.start)
        inbox, sequencer = self.inbox, self.sequencer
        while True:
            item = sequencer.pop()
            if item is not None:
                self._handle(item)
                continue
            if inbox.market_done and not sequencer.closed:
                sequencer.close()
                continue
            wait = sequencer.wait_time()
            # While something is held, feedback may still come after the inbox closed.
            taken = inbox.take(wait, linger=wait is not None)
            if taken is not None:
                sequencer.add(price_update(taken) if isinstance(taken, PriceMessage) else taken)
            elif wait is None:
                break
        if self._pipeline.is_running:
            self._guarded(self._pipeline.stop)
        if self.status is not Status.ERROR:
            self.status = Status.STOPPED
        logger.info("portfolio %s stopped after %d update(s)", self.portfolio_id, self.processed)

    def capture(self) -> Captured:
        """The portfolio's checkpoint now; call on its thread, or once the thread ended."""
        progress = Progress(self.processed, self.repeats, dict(self._symbol_times))
        state = with_spans(self._pipeline.checkpoint(), self.spans)
        return Captured(self.config, self.run_epoch, state, progress, self.last_event_time)

    def _handle(self, item: Item) -> None:
        if isinstance(item, Bar | Tick):
            self._on_price(item)
        elif isinstance(item, Fill):
            self._on_fill(item)
        else:
            self._guarded(lambda: self._pipeline.on_order_event(item))
        if self._checkpoint_interval and time.monotonic() >= self._checkpoint_due:
            self._checkpoint_due = time.monotonic() + self._checkpoint_interval
            self.captured = self.capture()

    def _on_price(self, update: Bar | Tick) -> None:
        if self._faulted:
            self.skipped += 1
            return
        seen = self._symbol_times.get(update.symbol)
        if seen is not None and update.time <= seen:
            self.repeats += 1
            return
        self._symbol_times[update.symbol] = update.time
        self._clock.advance(update.time)
        started = time.perf_counter()
        self._guarded(lambda: self._pipeline.on_price(update))
        self._series.processing.observe(time.perf_counter() - started)
        self.last_event_time = update.time
        if update.symbol not in self.symbols_seen:
            self.symbols_seen = self.symbols_seen | {update.symbol}
        self.processed += 1
        if self.first_event_time is None:
            self._open_span(update.time)

    def _open_span(self, first: datetime) -> None:
        """Live began under this version: checkpoint it now, not at the next period."""
        self.first_event_time = first
        self.captured = self.capture()
        if self._checkpoint_soon is not None:
            self._checkpoint_soon()

    def _on_fill(self, fill: Fill) -> None:
        if self._ledger.has_fill(fill.fill_id):
            return
        self._guarded(lambda: self._pipeline.on_fill(fill))
        if not self._ledger.has_fill(fill.fill_id):
            return
        self._series.fills.inc()
        last = self.positions.as_of
        self.positions = PositionsSnapshot.of(
            self._ledger,
            fills=self.positions.fills + 1,
            as_of=fill.time if last is None else max(last, fill.time),
        )

    def _guarded(self, call: Callable[[], list[DomainEvent]]) -> None:
        try:
            for event in call():
                self._on_event(event)
        except Exception as exc:  # the pipeline runs user code: nothing may end this thread
            logger.exception("portfolio %s: pipeline call failed", self.portfolio_id)
            self._faulted = True
            self._fail(Fault.PIPELINE, f"{type(exc).__name__}: {exc}")

    def _on_event(self, event: DomainEvent) -> None:
        if isinstance(event, OrderSubmitted | OrderBlocked | SignalDropped):
            # Every signal traded ends in exactly one of these.
            self._series.signals.inc()
        if isinstance(event, OrderSubmitted):
            self.orders += 1
            self._series.orders.inc()
            self._output.submit(event.order)
        elif isinstance(event, OrderBlocked):
            self.blocked += 1
            count_risk_block(self.portfolio_id, event.blocked_by)
            logger.info(
                "portfolio %s: order blocked by %s: %s",
                self.portfolio_id,
                event.blocked_by,
                event.reason,
            )
            self._notice_block(event)
        elif isinstance(event, StrategyErrored):
            self._fail(Fault.STRATEGY, f"strategy {event.strategy} raised {event.error}")
        elif isinstance(event, RiskHalted):
            self._output.notice(
                self.portfolio_id, f"risk halted: {event.reason}", kind=kinds.KILL_SWITCH
            )

    def _notice_block(self, event: OrderBlocked) -> None:
        # A halted portfolio blocks every order that adds exposure: its kill switch notice
        # said so already.
        if self._pipeline.risk_state is RiskState.HALTED:
            return
        admitted = self._block_notices.admit(event.blocked_by)
        if admitted is None:
            return
        order = event.order
        text = (
            f"{order.side} {order.quantity} {order.symbol} blocked by {event.blocked_by}: "
            f"{event.reason}{admitted.suffix()}"
        )
        self._output.notice(self.portfolio_id, text, kind=kinds.RISK_BLOCK)

    def _fail(self, fault: Fault, error: str) -> None:
        if self.status is Status.ERROR:
            return
        self.status = Status.ERROR
        self.error = error
        count_fault(self.portfolio_id, fault)
        self._output.notice(
            self.portfolio_id, f"portfolio in error: {error}", kind=kinds.STRATEGY_ERROR
        )
