"""Upstream: trading.management.commands.run_node, trading.node_worker
Downstream: trading.bus.admin, trading.bus.codec, trading.bus.config, trading.bus.consumer, trading.bus.deadletter, trading.bus.mapping, trading.bus.messages, trading.bus.producer, trading.bus.topics, trading.node.config, trading.node.control, trading.node.feed, trading.node.host, trading.node.interest, trading.node.output, trading.node.presence, trading.node.processor, trading.node.router, trading.node.sequencer, trading.node.stale, trading.node.status
Role: ExecutionNode: one node process: market feed and router, a thread per portfolio, feedback and control consumers, plan sync, Redis presence; start, serve, stop cleanly."""

import logging
import queue
import threading
import time
from collections.abc import Callable

from django.db import connections

from trading.bus.admin import ensure_topics
from trading.bus.codec import from_ns
from trading.bus.config import BusConfig
from trading.bus.consumer import ConsumerLoop, ConsumerSpec, Delivery, UnexpectedMessage
from trading.bus.deadletter import DeadLetters
from trading.bus.mapping import ReportMessage, report_from_message
from trading.bus.messages import AnyMessage, ExecutionWatermark, InterestUpdate, NodeOffline
from trading.bus.producer import BusProducer
from trading.bus.topics import CONTROL_COMMANDS, ORDERS_FEEDBACK, SCHEDULE_UPDATES, SYSTEM_EVENTS
from trading.node.config import NodeConfig
from trading.node.control import Intent, NodeControl, SaveCheckpoints, SyncPlan
from trading.node.feed import MarketFeed
from trading.node.host import PortfolioHost
from trading.node.interest import InterestMap
from trading.node.output import BusOutput, PressureNotices
from trading.node.presence import NodePresence, NodeReport
from trading.node.processor import PortfolioProcessor
from trading.node.router import Router
from trading.node.sequencer import ExecutedThrough
from trading.node.stale import StaleGuard
from trading.node.status import NodeMetrics, portfolio_fields

logger = logging.getLogger(__name__)


class ExecutionNode:
    """Hosts many portfolios, each on a thread of its own, fed by one market-data reader.

    :meth:`run` blocks: it starts the consumers and the market feed, then (once they read
    the bus) the Redis presence and the planned portfolios, then serves intents (commands,
    schedule updates, the periodic plan re-read) on the calling thread, which alone starts
    and stops portfolios, until :meth:`stop`. Stopping closes market intake, lets every
    portfolio drain its queue (up to ``drain_timeout``) while fills still come in, writes
    final statuses, publishes ``node.offline`` and leaves ``nodes:active`` at once.
    """

    def __init__(self, config: NodeConfig, bus: BusConfig | None = None) -> None:
        self.config = config
        self.node_id = config.node_id
        self.bus = bus or BusConfig.from_settings()
        self.ready = threading.Event()
        self.stopped = threading.Event()
        self.failed = False
        self._stop = threading.Event()
        self._intake_stop = threading.Event()
        self._loops_stop = threading.Event()
        self._intents: queue.SimpleQueue[Intent | None] = queue.SimpleQueue()
        self._producer = BusProducer(self.bus, source=f"node:{self.node_id}")
        self._dead_letters = DeadLetters(self._producer)
        self.output = BusOutput(self._producer, self.node_id)
        self.router = Router(
            InterestMap(), StaleGuard(config.max_age), PressureNotices(self.output)
        )
        self.presence = NodePresence(
            self.node_id,
            self.report,
            heartbeat_interval=config.heartbeat_interval,
            ttl=config.heartbeat_ttl,
            capacity=config.capacity,
        )
        self.host = PortfolioHost(
            config,
            self.router,
            self.output,
            self.presence,
            self.announce_interest,
            lambda: self._intents.put(SaveCheckpoints()),
        )
        self._metrics = NodeMetrics(config)
        self.feed = MarketFeed(
            self.bus, config.market_topics, self.router, self._dead_letters, stop=self._intake_stop
        )
        self.control = NodeControl(self.node_id, self._intents.put, self.announce_interest)
        self._loops = [
            self._loop("feedback", (ORDERS_FEEDBACK,), self._on_feedback),
            self._loop(
                "control",
                (CONTROL_COMMANDS, SCHEDULE_UPDATES, SYSTEM_EVENTS),
                self.control.on_message,
            ),
        ]

    @property
    def processors(self) -> dict[str, PortfolioProcessor]:
        """The running portfolios by id."""
        return self.host.processors

    @property
    def interest(self) -> InterestMap:
        """Symbol -> portfolio ids of this node."""
        return self.router.interest

    def stop(self) -> None:
        """Ask :meth:`run` to shut down (safe from signal handlers and other threads)."""
        self._stop.set()
        self._intents.put(None)

    def request_plan_sync(self) -> None:
        """Re-read the plan from Redis now (e.g. from a directed Celery task)."""
        self._intents.put(SyncPlan())

    def run(self) -> int:
        """Run until stopped; returns the exit status (0 clean, 1 after a fatal fault)."""
        ensure_topics(self.bus.bootstrap, self.bus.namespace)
        threads = [self._spawn(loop.spec.name, loop.run) for loop in self._loops]
        threads.append(self._spawn("feed", self.feed.run))
        presence: threading.Thread | None = None
        try:
            if self._wait_assigned():
                presence = self._spawn(
                    "presence",
                    lambda: self.presence.run(self.config.report_interval),
                )
                self.announce_interest()
                self.host.sync_plan()
                self.ready.set()
                logger.info("node %s ready: %d portfolio(s)", self.node_id, len(self.processors))
                self._serve()
        finally:
            self._shutdown(threads)
            self.presence.close()
            if presence is not None:
                presence.join()
            self.presence.withdraw()
            connections.close_all()
            logger.info("node %s stopped", self.node_id)
            self.stopped.set()
        return 1 if self.failed else 0

    def announce_interest(self) -> None:
        """Publish the node's full interest set (on start, on change, on sync requests)."""
        symbols = sorted(self.interest.symbols)
        self._producer.publish(
            SYSTEM_EVENTS, InterestUpdate(ts=time.time_ns(), node_id=self.node_id, symbols=symbols)
        )

    def report(self) -> NodeReport:
        """Statuses and metrics for the presence writer (called on its thread)."""
        self.router.export_routed()
        processors = self.processors
        state = "running" if self.ready.is_set() and not self._stop.is_set() else "starting"
        info = self._metrics.info(state, processors, self.router, self._dead_letters.count)
        statuses = {pid: portfolio_fields(p, self.node_id) for pid, p in processors.items()}
        positions = {pid: p.positions for pid, p in processors.items()}
        return NodeReport(statuses, positions, info, frozenset(processors))

    def _on_feedback(self, message: AnyMessage, delivery: Delivery) -> None:
        if isinstance(message, ExecutionWatermark):
            item: object = ExecutedThrough(
                message.client_order_id, message.symbol, from_ns(message.ts)
            )
        elif isinstance(message, ReportMessage):
            item = report_from_message(message)
        else:
            raise UnexpectedMessage(f"{type(message).__name__} on the feedback topic")
        inbox = self.host.feedback_inbox(message.portfolio_id)
        if inbox is not None:
            # Through the portfolio's own thread (it owns the pipeline), ahead of prices.
            inbox.put_urgent(item)

    def _serve(self) -> None:
        next_sync = time.monotonic() + self.config.plan_interval
        next_save = time.monotonic() + self.config.checkpoint_interval
        while not self._stop.is_set():
            due = min(next_sync, next_save)
            try:
                intent = self._intents.get(timeout=max(0.0, due - time.monotonic()))
            except queue.Empty:
                intent = SyncPlan() if time.monotonic() >= next_sync else None
            if time.monotonic() >= next_save or isinstance(intent, SaveCheckpoints):
                next_save = time.monotonic() + self.config.checkpoint_interval
                self.host.save_checkpoints()
            if isinstance(intent, SyncPlan):
                next_sync = time.monotonic() + self.config.plan_interval
                self.host.sync_plan()
            elif intent is not None:
                self.host.handle(intent)

    def _loop(
        self, name: str, topics: tuple[str, ...], handler: Callable[[AnyMessage, Delivery], None]
    ) -> ConsumerLoop:
        # Group-less readers from the end: what a portfolio needs is rebuilt from the
        # database whenever it starts, so nothing from before the node's start is needed.
        spec = ConsumerSpec(name, topics, None)
        return ConsumerLoop(self.bus, spec, handler, self._dead_letters, stop=self._loops_stop)

    def _wait_assigned(self) -> bool:
        for assigned in [loop.assigned for loop in self._loops] + [self.feed.assigned]:
            if not assigned.wait(self.config.ready_timeout) and not self._stop.is_set():
                logger.error("node %s: a consumer got no partitions in time", self.node_id)
                self.failed = True
                return False
        return not self._stop.is_set()

    def _shutdown(self, threads: list[threading.Thread]) -> None:
        self._stop.set()
        self._intake_stop.set()
        # Feedback and control still flow while the portfolios drain: fills keep landing.
        self.host.stop_all()
        self._loops_stop.set()
        for thread in threads:
            thread.join()
        self._producer.publish(
            SYSTEM_EVENTS, NodeOffline(ts=time.time_ns(), node_id=self.node_id, reason="stopped")
        )
        self._producer.close()

    def _spawn(self, name: str, target: Callable[[], None]) -> threading.Thread:
        def guarded() -> None:
            try:
                target()
            except Exception:  # a dead consumer must take the node down, not linger silently
                logger.exception("node thread %s failed; stopping", name)
                self.failed = True
                self.stop()

        thread = threading.Thread(target=guarded, name=f"node-{name}", daemon=True)
        thread.start()
        return thread
