"""Upstream: monitoring.management.commands.run_notifications
Downstream: monitoring.notifications.dispatch, monitoring.notifications.intake, monitoring.notifications.rules, trading.bus.admin, trading.bus.config, trading.bus.consumer, trading.bus.deadletter, trading.bus.messages, trading.bus.producer, trading.bus.topics, trading.dbcare
Role: NotificationService: consumes ginkgo.notifications and ginkgo.deadletter, runs the node rules, and hands every notice to the Dispatcher; start, serve, stop cleanly."""

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.db import InterfaceError, OperationalError, close_old_connections, connections

from monitoring.notifications.dispatch import Dispatcher
from monitoring.notifications.intake import IncomingNotice, from_dead_letter, from_notification
from monitoring.notifications.rules import SOURCE, NodeWatch
from trading.bus.admin import ensure_topics
from trading.bus.config import BusConfig
from trading.bus.consumer import (
    ConsumerLoop,
    ConsumerSpec,
    Delivery,
    TransientError,
    UnexpectedMessage,
)
from trading.bus.deadletter import DeadLetters
from trading.bus.messages import AnyMessage, DeadLetter, Notification
from trading.bus.producer import BusProducer
from trading.bus.topics import DEAD_LETTER, NOTIFICATIONS
from trading.dbcare import ConnectionCare

logger = logging.getLogger(__name__)

# Database faults pass (a restart, a dropped connection): the message is retried, not parked.
TRANSIENT = (TransientError, OperationalError, InterfaceError)


class _LoggedOnly(DeadLetters):
    """What the dead-letter reader cannot handle is only logged: parking it on the topic it
    reads would bring it straight back."""

    def send(self, *, reason: str, topic: str, partition: int, offset: int, **_: Any) -> None:
        logger.error("unhandled dead letter %s[%d]@%d: %s", topic, partition, offset, reason)


class NotificationService:
    """Every notice of the stack, stored and delivered, from three intakes: the notifications
    topic (group consumer), the dead-letter topic (one notice kind, grouped), and the node
    rules ticking every ``rules_interval`` seconds on the calling thread. One lock serialises
    the Dispatcher. :meth:`run` blocks until :meth:`stop`; ``ready`` is set once both
    consumers have their partitions.

    Consumers start from the earliest offset when their group is new, so nothing published
    before the service's first start is lost (the throttles keep sinks from a flood).
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        *,
        lost_after: float,
        bus: BusConfig | None = None,
        rules_interval: float = 2.0,
        ready_timeout: float = 60.0,
    ) -> None:
        self.bus = bus or BusConfig.from_settings()
        self.ready = threading.Event()
        self.stopped = threading.Event()
        self.failed = False
        self.watch = NodeWatch(self.handle, lost_after=lost_after)
        self._dispatcher = dispatcher
        self._rules_interval = rules_interval
        self._ready_timeout = ready_timeout
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._connections = ConnectionCare()
        self._producer = BusProducer(self.bus, source=SOURCE)
        group = f"{self.bus.namespace}ginkgo.notifications"
        self._loops = [
            self._loop(
                ConsumerSpec("notifications", (NOTIFICATIONS,), group, "earliest"),
                self._on_notification,
                DeadLetters(self._producer),
            ),
            self._loop(
                ConsumerSpec("deadletters", (DEAD_LETTER,), f"{group}.deadletters", "earliest"),
                self._on_dead_letter,
                _LoggedOnly(self._producer),
            ),
        ]

    def stop(self) -> None:
        """Ask :meth:`run` to shut down (safe from signal handlers and other threads)."""
        self._stop.set()

    def handle(self, incoming: IncomingNotice) -> None:
        """Store and deliver one notice (any thread)."""
        with self._lock:
            self._connections.check()
            try:
                self._dispatcher.handle(incoming)
            except (OperationalError, InterfaceError):
                self._connections.failed()
                raise

    def run(self) -> int:
        """Serve until stopped; returns the exit status (0 clean, 1 after a fatal fault)."""
        ensure_topics(self.bus.bootstrap, self.bus.namespace)
        threads = [self._spawn(loop.spec.name, loop.run) for loop in self._loops]
        try:
            if self._wait_assigned():
                self.ready.set()
                logger.info("notification service ready: sinks %s", self._sink_names())
                while not self._stop.is_set():
                    close_old_connections()
                    self.watch.tick()
                    self._stop.wait(self._rules_interval)
        finally:
            self._stop.set()
            for thread in threads:
                thread.join()
            self._producer.close()
            connections.close_all()
            logger.info("notification service stopped")
            self.stopped.set()
        return 1 if self.failed else 0

    def _on_notification(self, message: AnyMessage, delivery: Delivery) -> None:
        if not isinstance(message, Notification):
            raise UnexpectedMessage(f"{type(message).__name__} on the notifications topic")
        self.handle(from_notification(message))

    def _on_dead_letter(self, message: AnyMessage, delivery: Delivery) -> None:
        if not isinstance(message, DeadLetter):
            logger.warning("ignored a %s on the dead-letter topic", type(message).__name__)
            return
        self.handle(from_dead_letter(message))

    def _loop(
        self,
        spec: ConsumerSpec,
        handler: Callable[[AnyMessage, Delivery], None],
        dead_letters: DeadLetters,
    ) -> ConsumerLoop:
        return ConsumerLoop(
            self.bus, spec, handler, dead_letters, stop=self._stop, transient=TRANSIENT
        )

    def _wait_assigned(self) -> bool:
        for loop in self._loops:
            if not loop.assigned.wait(self._ready_timeout) and not self._stop.is_set():
                logger.error("consumer %s got no partitions in time", loop.spec.name)
                self.failed = True
                return False
        return not self._stop.is_set()

    def _spawn(self, name: str, target: Callable[[], None]) -> threading.Thread:
        def guarded() -> None:
            try:
                target()
            except Exception:  # a dead consumer must take the process down, not linger
                logger.exception("notifications thread %s failed; stopping", name)
                self.failed = True
                self._stop.set()
            finally:
                connections.close_all()

        thread = threading.Thread(target=guarded, name=f"notifications-{name}", daemon=True)
        thread.start()
        return thread

    def _sink_names(self) -> str:
        return ",".join(sink.name for sink in self._dispatcher.sinks) or "none"
