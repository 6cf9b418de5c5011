"""Upstream: trading.node.runtime
Downstream: monitoring.metrics, monitoring.notifications.kinds, trading.node.buffer, trading.node.checkpoints, trading.node.config, trading.node.control, trading.node.handover, trading.node.inbox, trading.node.loader, trading.node.plan, trading.node.presence, trading.node.processor, trading.node.router, trading.node.spans, trading.node.status, trading.node.telemetry, trading.services.portfolio_state
Role: PortfolioHost: the portfolios a node runs: started from the database, stopped after draining, reloaded, reconciled with the plan; commands for portfolios it does not host are ignored."""

import logging
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import TypeVar

from django.db import close_old_connections
from django.utils import timezone

from monitoring.metrics import forget_portfolio
from monitoring.notifications import kinds
from trading.node.buffer import ReloadBuffer
from trading.node.checkpoints import (
    Captured,
    Progress,
    checkpoint_save,
    resume,
    stored_capture,
    stored_progress,
)
from trading.node.config import NodeConfig
from trading.node.control import (
    ApplyPlan,
    Intent,
    MigratePortfolio,
    ReloadPortfolio,
    StartPortfolio,
    StopPortfolio,
)
from trading.node.handover import PERIODIC, await_release
from trading.node.inbox import PortfolioInbox
from trading.node.loader import LoadedPortfolio, build_check, build_loaded
from trading.node.plan import read_plan, reconcile
from trading.node.presence import NodePresence
from trading.node.processor import PortfolioProcessor, ProcessorOutput, Status
from trading.node.router import Router
from trading.node.spans import LiveSpan, spans_of
from trading.node.status import failed_start_fields, portfolio_fields
from trading.node.telemetry import Fault, PortfolioSeries, count_fault
from trading.services.portfolio_state import portfolio_config_get, portfolio_start_run

logger = logging.getLogger(__name__)
T = TypeVar("T")


class PortfolioHost:
    """Starts, stops and reloads a node's portfolios; only the node's life-cycle thread calls
    its methods. The maps other threads read (processors for the reporter, feedback inboxes
    for the feedback consumer) are replaced, never changed in place.

    The node hosts what it is planned to run (the fixed set, or ``schedule:plan``); a
    ``portfolio.stop`` pauses a hosted portfolio until ``portfolio.start`` or until the plan
    drops it, so the periodic reconciliation does not undo an operator's stop.
    """

    def __init__(
        self,
        config: NodeConfig,
        router: Router,
        output: ProcessorOutput,
        presence: NodePresence,
        announce: Callable[[], None],
        checkpoint_soon: Callable[[], None] | None = None,
    ) -> None:
        self.config = config
        self.node_id = config.node_id
        self.processors: dict[str, PortfolioProcessor] = {}
        self.closing = False
        self._router = router
        self._output = output
        self._presence = presence
        self._announce = announce
        self._checkpoint_soon = checkpoint_soon
        self._feedback: dict[str, PortfolioInbox] = {}
        self._planned: frozenset[str] = config.portfolios or frozenset()
        self._paused: set[str] = set()
        self._start_errors: dict[str, str] = {}
        self._saved: dict[str, Captured] = {}

    def feedback_inbox(self, portfolio_id: str) -> PortfolioInbox | None:
        """Where feedback for ``portfolio_id`` goes (None: not run here)."""
        return self._feedback.get(portfolio_id)

    def sync_plan(self) -> None:
        """Run what the node should run now: the fixed set, or the plan in Redis (kept as it
        is when Redis cannot be read)."""
        if self.config.portfolios is not None:
            self.apply_plan(self.config.portfolios)
            return
        plan = read_plan(self.node_id)
        self.apply_plan(self._planned if plan is None else plan)

    def apply_plan(self, planned: frozenset[str]) -> None:
        """Start what is planned but not running, stop what runs but is not planned."""
        self._planned = planned
        self._paused &= planned
        for portfolio_id in self._start_errors.keys() - planned:
            # It never started here and runs elsewhere now: its series are that node's.
            del self._start_errors[portfolio_id]
            forget_portfolio(portfolio_id)
        to_start, to_stop = reconcile(planned - self._paused, set(self.processors))
        if to_start or to_stop:
            logger.info("node %s plan: start %s, stop %s", self.node_id, to_start, to_stop)
        self.stop(to_stop)
        for portfolio_id in to_start:
            self.start(portfolio_id)

    def handle(self, intent: Intent) -> None:
        """Apply a command or a schedule update."""
        if isinstance(intent, ApplyPlan):
            if self.config.portfolios is None:
                self.apply_plan(intent.portfolio_ids)
            return
        if isinstance(intent, MigratePortfolio):
            self._migrate_out(intent)
            return
        if not isinstance(intent, StartPortfolio | StopPortfolio | ReloadPortfolio):
            return
        portfolio_id = intent.portfolio_id
        if portfolio_id not in self._planned and portfolio_id not in self.processors:
            return
        if isinstance(intent, StartPortfolio):
            self._paused.discard(portfolio_id)
            self.start(portfolio_id)
        elif isinstance(intent, StopPortfolio):
            self._paused.add(portfolio_id)
            self.stop([portfolio_id])
        elif portfolio_id in self.processors:
            self.reload(portfolio_id, intent.version)
        elif portfolio_id not in self._paused:
            self.start(portfolio_id)

    def start(self, portfolio_id: str) -> None:
        """Build ``portfolio_id`` from the database (new run epoch) and start its thread,
        once another live node that still runs it released it (bounded wait); strategy and
        risk state continue from its newest checkpoint of the same version."""
        if portfolio_id in self.processors or self.closing:
            return
        requested = timezone.now()
        inbox = self._open_feedback(portfolio_id)
        try:
            close_old_connections()
            stored = await_release(
                portfolio_id, self.node_id, requested, self.config.handover_timeout
            )
            loaded = self._load(portfolio_id)
        except Exception as exc:  # unknown id, bad config, database away: retried with the plan
            self._feedback = _without(self._feedback, portfolio_id)
            self._start_failed(portfolio_id, f"cannot start: {type(exc).__name__}: {exc}")
            return
        progress, spans = None, ()
        if stored is not None:
            progress, spans = stored_progress(stored), spans_of(stored.state)
            if stored.version == loaded.config.version:
                progress = self._resume(loaded, stored_capture(stored, loaded.config))
        self._launch(loaded, inbox, progress, spans)

    def reload(self, portfolio_id: str, version: int | None) -> None:
        """Replace a running portfolio by an instance of its current database version.

        The new config is built first: if it cannot be, the old instance keeps running and
        its status and a notice say why. Otherwise the old instance's market intake goes to
        a buffer while it drains (``stopping``); it is checkpointed and stopped
        (``reloading``), the new instance is built with the state that still fits, and it
        starts with the buffer replayed in order ahead of what arrives next.
        """
        old = self.processors[portfolio_id]
        try:
            close_old_connections()
            config = portfolio_config_get(portfolio_id=portfolio_id)
            build_check(config, self.config.registry)
        except Exception as exc:  # a config the core refuses: the old version carries on
            old.error = f"reload failed, v{old.version} keeps running: {type(exc).__name__}: {exc}"
            logger.error("portfolio %s: %s", portfolio_id, old.error)
            self._output.notice(portfolio_id, old.error, kind=kinds.RELOAD_FAILED)
            return
        if version is not None and version != config.version:
            logger.warning(
                "portfolio %s: reload asked for v%d, the database has v%d: loading v%d",
                portfolio_id,
                version,
                config.version,
                config.version,
            )
        buffer = ReloadBuffer(
            partial(self._output.notice, portfolio_id),
            series=PortfolioSeries(portfolio_id),
        )
        old.buffer = buffer
        old.status = Status.STOPPING
        old.inbox.close(buffer)
        captured = self._retire(old, time.monotonic() + self.config.drain_timeout, Status.RELOADING)
        inbox = self._open_feedback(portfolio_id)
        try:
            loaded = self._load(portfolio_id)
        except Exception as exc:  # the database went away between the two reads
            self._feedback = _without(self._feedback, portfolio_id)
            self._router.detach(portfolio_id)
            self._start_failed(portfolio_id, f"cannot reload: {type(exc).__name__}: {exc}")
            return
        progress = self._resume(loaded, captured) if captured else None
        replayed = buffer.release(inbox)
        self._launch(loaded, inbox, progress, spans_of(captured.state) if captured else ())
        logger.info("portfolio %s reloaded: %d buffered update(s) replayed", portfolio_id, replayed)

    def stop(self, portfolio_ids: Iterable[str], status: Status | None = None) -> None:
        """Close intake, let the portfolios drain (together, up to ``drain_timeout``), stop
        them, checkpoint them and report their final statuses (``status`` overrides a clean
        one)."""
        stopping = [self.processors[pid] for pid in portfolio_ids if pid in self.processors]
        if not stopping:
            return
        changed = False
        for processor in stopping:
            changed |= self._router.interest.remove(processor.portfolio_id)
            self._router.detach(processor.portfolio_id)
            processor.status = Status.STOPPING
            processor.inbox.close()
        if changed and not self.closing:
            self._announce()
        deadline = time.monotonic() + self.config.drain_timeout
        for processor in stopping:
            self._retire(processor, deadline, status)
            # Another node may run it next: only that node reports it from now on.
            forget_portfolio(processor.portfolio_id)

    def save_checkpoints(self) -> None:
        """Save the periodic checkpoints the running portfolios took since the last call."""
        for portfolio_id, processor in self.processors.items():
            captured = processor.captured
            if captured is not None and self._saved.get(portfolio_id) is not captured:
                checkpoint_save(captured, self.node_id, PERIODIC)
                self._saved[portfolio_id] = captured

    def stop_all(self) -> None:
        """Stop every portfolio and start no more (node shutdown)."""
        self.closing = True
        self.stop(list(self.processors))

    def _migrate_out(self, intent: MigratePortfolio) -> None:
        # The source of a migration lets go at once; the schedule update that follows finds
        # it stopped. The target just waits for its plan, whose start awaits the release.
        if intent.source != self.node_id or intent.portfolio_id not in self.processors:
            return
        self._planned = self._planned - {intent.portfolio_id}
        self.stop([intent.portfolio_id], Status.MIGRATING)

    def _open_feedback(self, portfolio_id: str) -> PortfolioInbox:
        inbox = PortfolioInbox(
            self.config.queue_maxsize, self.config.policy, PortfolioSeries(portfolio_id)
        )
        # Feedback is queued from before the database read: a fill recorded after it then
        # reaches the portfolio, one recorded before it is a known fill id and changes nothing.
        self._feedback = {**self._feedback, portfolio_id: inbox}
        self._presence.cancel_final(portfolio_id)
        return inbox

    def _load(self, portfolio_id: str) -> LoadedPortfolio:
        return build_loaded(portfolio_start_run(portfolio_id=portfolio_id), self.config.registry)

    def _resume(self, loaded: LoadedPortfolio, captured: Captured) -> Progress:
        try:
            return resume(loaded, captured)
        except Exception as exc:  # a state the strategy or risk rules refuse: start afresh
            logger.warning(
                "portfolio %s: checkpoint not restored: %s", loaded.config.portfolio_id, exc
            )
            return captured.progress

    def _launch(
        self,
        loaded: LoadedPortfolio,
        inbox: PortfolioInbox,
        progress: Progress | None,
        spans: tuple[LiveSpan, ...],
    ) -> None:
        portfolio_id = loaded.config.portfolio_id
        self._start_errors.pop(portfolio_id, None)
        processor = PortfolioProcessor(
            loaded,
            inbox,
            self._output,
            progress,
            self.config.checkpoint_interval,
            spans=spans,
            wait=self.config.ordering_wait,
            checkpoint_soon=self._checkpoint_soon,
        )
        processor.start()
        self.processors = {**self.processors, portfolio_id: processor}
        self._presence.nudge()
        self._router.attach(portfolio_id, inbox)
        if self._router.interest.set(portfolio_id, loaded.config.symbols):
            self._announce()
        logger.info(
            "portfolio %s v%d started (run %d, %d fill(s) replayed, %d update(s) before)",
            portfolio_id,
            loaded.config.version,
            loaded.run_epoch,
            loaded.fills,
            progress.processed if progress else 0,
        )

    def _retire(
        self, processor: PortfolioProcessor, deadline: float, status: Status | None
    ) -> Captured | None:
        """Drain a closed processor, checkpoint it (when its thread ended), and report its
        final status; returns the checkpoint."""
        _drain(processor, deadline)
        pid = processor.portfolio_id
        self._feedback = _without(self._feedback, pid)
        self.processors = _without(self.processors, pid)
        self._saved.pop(pid, None)
        final = status if processor.status is not Status.ERROR else None
        captured = None if processor.thread.is_alive() else processor.capture()
        if captured is not None:
            checkpoint_save(captured, self.node_id, (final or Status.STOPPED).value)
        fields = portfolio_fields(processor, self.node_id, final)
        self._presence.finalize(pid, fields, processor.positions)
        return captured

    def _start_failed(self, portfolio_id: str, error: str) -> None:
        logger.error("portfolio %s: %s", portfolio_id, error)
        count_fault(portfolio_id, Fault.START)
        self._presence.finalize(portfolio_id, failed_start_fields(self.node_id, error))
        if self._start_errors.get(portfolio_id) != error:
            self._start_errors[portfolio_id] = error
            self._output.notice(portfolio_id, error, kind=kinds.PORTFOLIO_START_FAILED)


def _drain(processor: PortfolioProcessor, deadline: float) -> None:
    processor.thread.join(max(0.0, deadline - time.monotonic()))
    if processor.thread.is_alive():
        dropped = processor.inbox.discard()
        logger.warning(
            "portfolio %s did not drain in time: %d update(s) dropped",
            processor.portfolio_id,
            dropped,
        )
        processor.thread.join(1.0)


def _without(mapping: dict[str, T], key: str) -> dict[str, T]:
    return {k: v for k, v in mapping.items() if k != key}
