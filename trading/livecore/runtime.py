"""Upstream: bench.gateway_throughput, trading.management.commands.run_livecore
Downstream: trading.bus.admin, trading.bus.config, trading.bus.consumer, trading.bus.deadletter, trading.bus.producer, trading.bus.topics, trading.core.backtest.engine, trading.livecore.control, trading.livecore.datamanager, trading.livecore.engine, trading.livecore.paper, trading.livecore.readiness, trading.livecore.sources, trading.livecore.stats, trading.livecore.status, trading.selectors.live, trading.services.orders, trading.storage.feed_marks, trading.storage.stores
Role: LiveCore: wires DataManager, LiveEngine (paper gateway) and control handling into one process of threads; start, report, stop cleanly."""

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connections

from trading.bus.admin import BrokerUnavailable, ensure_topics
from trading.bus.config import BusConfig
from trading.bus.consumer import BatchHandler, ConsumerLoop, ConsumerSpec, Handler, TransientError
from trading.bus.deadletter import DeadLetters
from trading.bus.producer import BusProducer
from trading.bus.topics import CONTROL_COMMANDS, ORDERS_SUBMISSION, SYSTEM_EVENTS, market_data_topic
from trading.core.backtest.engine import ExecutionSettings
from trading.livecore.control import EngineControl
from trading.livecore.datamanager import DataManager
from trading.livecore.engine import LiveEngine
from trading.livecore.paper import PaperTradeGateway
from trading.livecore.readiness import await_running, portfolios_meant_to_run
from trading.livecore.sources import MarketDataSource
from trading.livecore.stats import Counters, engine_series
from trading.livecore.status import EngineStatus
from trading.selectors.live import LiveStateUnavailable, nodes_alive_list
from trading.services import orders as order_services
from trading.storage.feed_marks import SqlFeedMarks
from trading.storage.stores import bar_store

logger = logging.getLogger(__name__)

# One log line per event class: (label, counters shown).
REPORT_LINES = (
    ("orders", ("orders", "accepted", "rejects", "duplicates", "cancelled", "expired")),
    ("fills", ("fills",)),
    ("market", ("prices", "published", "skipped", "refused", "interest_updates", "nodes_offline")),
    ("bars", ("bars_stored", "bars_store_failures", "bars_dropped")),
    ("control", ("commands", "commands_ignored")),
    ("bus", ("dead_letters", "delivery_failed", "delivery_dropped")),
)


@dataclass(frozen=True)
class LiveCoreConfig:
    """What one LiveCore process runs.

    ``window`` is how many recent price updates per symbol the paper venue keeps for orders
    that arrive after prices later than their event time (an order older than that is
    rejected as too late): size it to the tick rate times the order lag to tolerate.
    ``rewind`` is how many messages per partition the engine's market-data consumer re-reads
    on start to refill that window. With ``resume`` the source carries on after the marks
    its market's feed left in the database (and keeps them there as it goes).
    """

    engine_id: str = "paper"
    source: MarketDataSource | None = None
    market: str = "default"
    publish_all: bool = False
    resume: bool = False
    execution: ExecutionSettings = field(default_factory=ExecutionSettings)
    window: int = 500
    rewind: int = 2000
    report_interval: float = 5.0
    ready_timeout: float = 60.0
    # How long the source waits for the live nodes to announce their interest at start.
    interest_timeout: float = 5.0
    # How long the source then waits for every portfolio meant to run on its market to run
    # (0: not at all), so a replay's first bar reaches them all.
    await_running: float = 0.0


class LiveCore:
    """DataManager + LiveEngine + control consumer, each consumer on its own thread.

    :meth:`run` blocks: it starts everything, reports every ``report_interval`` seconds
    (log lines and the Redis status) and, once :meth:`stop` is called (from a signal handler
    or another thread), stops intake, lets the consumers commit what they handled, flushes
    the producer and marks the engine offline. ``ready`` is set once every consumer has its
    partitions, i.e. once published messages are sure to be seen; ``stopped`` once
    :meth:`run` has finished.
    """

    def __init__(self, config: LiveCoreConfig, bus: BusConfig | None = None) -> None:
        self.config = config
        self.bus = bus or BusConfig.from_settings()
        self.ready = threading.Event()
        self.stopped = threading.Event()
        self.counters = Counters(engine_series(config.engine_id))
        self.failed = False
        self._stop = threading.Event()
        self._started_at = _now()
        self._last_lines: dict[str, str] = {}
        self._producer = BusProducer(self.bus, source=f"livecore:{config.engine_id}")
        self._dead_letters = DeadLetters(self._producer)
        self.status = EngineStatus(config.engine_id)
        self.engine = LiveEngine(
            engine_id=config.engine_id,
            gateway=PaperTradeGateway(
                config.execution,
                window=config.window,
                cash=lambda portfolio_id: order_services.portfolio_cash(portfolio_id=portfolio_id),
            ),
            producer=self._producer,
            counters=self.counters,
        )
        self.control = EngineControl(self.engine, self.counters, self.write_status)
        market = market_data_topic(config.market)
        self.datamanager = (
            DataManager(
                source=config.source,
                producer=self._producer,
                topic=market,
                counters=self.counters,
                dead_letters=self._dead_letters,
                publish_all=config.publish_all,
                marks=SqlFeedMarks(config.market) if config.resume else None,
                bars=bar_store(),
            )
            if config.source is not None
            else None
        )
        self._loops = self._consumers(market)

    def stop(self) -> None:
        """Ask :meth:`run` to shut down (safe from signal handlers and other threads)."""
        self._stop.set()

    def run(self) -> int:
        """Run until stopped; returns the exit status (0 clean, 1 after a fatal fault)."""
        threads: list[threading.Thread] = []
        try:
            ensure_topics(self.bus.bootstrap, self.bus.namespace)
            self._restore_intake()
            self.engine.start()
            threads = [self._spawn(loop.spec.name, loop.run) for loop in self._loops]
            if self._wait_assigned():
                self._go_live(threads)
                while not self._stop.wait(self.config.report_interval):
                    self._report()
        except (BrokerUnavailable, TransientError) as exc:
            logger.error("livecore %s cannot start: %s", self.config.engine_id, exc)
            self.failed = True
        finally:
            self._stop.set()
            for thread in threads:
                thread.join()
            self._producer.close()
            self._report()
            self.status.write({"status": "offline", "updated_at": _now()})
            connections.close_all()
            logger.info("livecore %s stopped", self.config.engine_id)
            self.stopped.set()
        return 1 if self.failed else 0

    def write_status(self) -> None:
        """Write the engine's status and counters to Redis (failures are retried later)."""
        counts = self.counters
        self.status.write(
            {
                "status": "running" if self.engine.accepting else "stopped",
                "intake": "open" if self.engine.accepting else "closed",
                "started_at": self._started_at,
                "updated_at": _now(),
                "pid": os.getpid(),
                "orders": counts["orders"],
                "fills": counts["fills"],
                "rejects": counts["rejects"],
                "dead_letters": self._dead_letters.count,
                "command_ts": self.control.last_command_ts,
            }
        )

    # --- internals ------------------------------------------------------------------------

    def _consumers(self, market: str) -> list[ConsumerLoop]:
        engine_id = self.config.engine_id
        group = f"livecore.{engine_id}"
        # The engine handles what is waiting on its topics in batches (one commit each).
        specs: list[tuple[ConsumerSpec, Handler, BatchHandler | None]] = [
            (
                ConsumerSpec("orders", (ORDERS_SUBMISSION,), f"{group}.orders"),
                self.engine.on_order,
                self.engine.on_orders,
            ),
            (
                ConsumerSpec("market", (market,), f"{group}.market", rewind=self.config.rewind),
                self.engine.on_price,
                self.engine.on_prices,
            ),
            (
                ConsumerSpec("control", (CONTROL_COMMANDS,), f"{group}.control"),
                self.control.on_command,
                None,
            ),
        ]
        if self.datamanager is not None:
            specs.append(
                (
                    ConsumerSpec("interest", (SYSTEM_EVENTS,), f"{group}.interest"),
                    self.datamanager.on_system_event,
                    None,
                )
            )
        return [
            ConsumerLoop(
                self.bus, spec, handler, self._dead_letters, stop=self._stop, batch_handler=batch
            )
            for spec, handler, batch in specs
        ]

    def _restore_intake(self) -> None:
        # An operator's engine.stop outlives a restart: a crash must not reopen intake.
        saved = self.status.read()
        self.engine.accepting = saved.get("intake", "open") != "closed"
        self.control.last_command_ts = int(saved.get("command_ts", 0))

    def _wait_assigned(self) -> bool:
        for loop in self._loops:
            if not loop.assigned.wait(self.config.ready_timeout) and not self._stop.is_set():
                logger.error("consumer %s got no partitions in time", loop.spec.name)
                self.failed = True
                return False
        return not self._stop.is_set()

    def _go_live(self, threads: list[threading.Thread]) -> None:
        datamanager = self.datamanager
        if datamanager is not None:
            datamanager.request_sync()
            try:
                nodes = nodes_alive_list()
            except LiveStateUnavailable as exc:  # no word on who is alive: start at once
                logger.warning("livecore %s: %s", self.config.engine_id, exc)
                nodes = []
            timeout = self.config.interest_timeout

            def publish() -> None:
                datamanager.await_interest(nodes, timeout)
                if self.config.await_running:
                    await_running(
                        portfolios_meant_to_run(self.config.market),
                        datamanager.interest.wants,
                        self.config.await_running,
                        self._stop,
                    )
                datamanager.run(self._stop)

            threads.append(self._spawn("datamanager", publish))
        self.write_status()
        self.ready.set()
        logger.info(
            "livecore %s ready: intake %s",
            self.config.engine_id,
            "open" if self.engine.accepting else "closed (engine stopped)",
        )

    def _spawn(self, name: str, target: Callable[[], None]) -> threading.Thread:
        def guarded() -> None:
            try:
                target()
            except Exception:  # a dead thread must take the process down, not linger silently
                logger.exception("livecore thread %s failed; stopping", name)
                self.failed = True
                self._stop.set()
            finally:
                connections.close_all()

        thread = threading.Thread(target=guarded, name=f"livecore-{name}", daemon=True)
        thread.start()
        return thread

    def _report(self) -> None:
        delivery = self._producer.stats
        counts = {
            **self.counters.snapshot(),
            "dead_letters": self._dead_letters.count,
            "delivery_failed": delivery.failed,
            "delivery_dropped": delivery.dropped,
        }
        for label, names in REPORT_LINES:
            line = " ".join(f"{name}={counts.get(name, 0)}" for name in names)
            # Quiet while idle: a line is logged when one of its counts moved.
            if self._last_lines.get(label) != line:
                self._last_lines[label] = line
                logger.info("%s: %s", label, line)
        self.write_status()


def _now() -> str:
    return datetime.now(UTC).isoformat()
