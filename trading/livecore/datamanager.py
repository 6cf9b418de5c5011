"""Upstream: bench.feed_storage, trading.livecore.runtime
Downstream: trading.bus.codec, trading.bus.consumer, trading.bus.deadletter, trading.bus.mapping, trading.bus.messages, trading.bus.producer, trading.bus.topics, trading.core.data.checks, trading.core.market, trading.core.ports, trading.livecore.bar_recorder, trading.livecore.interest, trading.livecore.marks, trading.livecore.sources, trading.livecore.stats
Role: DataManager: publishes a source's price updates keyed by symbol, only those some node wants, stores the bars in the bar store, and keeps the nodes' interest sets."""

import logging
import threading
import time
from collections.abc import Iterable

from trading.bus.codec import encode
from trading.bus.consumer import Delivery, UnexpectedMessage
from trading.bus.deadletter import DeadLetters
from trading.bus.mapping import price_message
from trading.bus.messages import AnyMessage, InterestSyncRequest, InterestUpdate, NodeOffline
from trading.bus.producer import BusProducer
from trading.bus.topics import SYSTEM_EVENTS
from trading.core.data.checks import UpdateChecker
from trading.core.market import Bar, PriceUpdate
from trading.core.ports import BarStore
from trading.livecore.bar_recorder import BarRecorder
from trading.livecore.interest import InterestRegistry
from trading.livecore.marks import FeedMarkStore, MarkKeeper
from trading.livecore.sources import MarketDataSource
from trading.livecore.stats import Counters

logger = logging.getLogger(__name__)

# Waits shorter than this are not worth a sleep: the next update just goes out.
MIN_WAIT_SECONDS = 0.001
# A publisher this far behind its schedule stops trying to catch up (no endless burst).
MAX_LAG_SECONDS = 1.0
# How long saving the feed's marks waits for the published updates to be delivered.
DELIVERY_WAIT_SECONDS = 5.0


class DataManager:
    """Market data from a :class:`MarketDataSource` to one market-data topic.

    Nodes announce what they want on the system-events topic (``interest.update`` with their
    complete set, ``node.offline`` when they leave); the DataManager publishes only symbols in
    the union of those sets, or everything with ``publish_all``. On start it asks every node
    to announce again (``interest.sync_request``), so a restarted DataManager needs no state.
    Every update must pass the core's market-data rule (trading.core.data.checks) first: one
    that does not is dead-lettered with the reason and never published.

    With a ``marks`` store the feed resumes after the marks an earlier run left there and
    keeps them up to date as it goes (see trading.livecore.marks): a restart carries on.

    With a ``bars`` store every bar that passed the rule (published, or skipped because no
    node wanted it) is written there too, in batches from another thread (BarRecorder), so
    live history is queryable and replayable; marks are saved only once the bars they pass
    are stored. Ticks are not stored: they are not bars, and minute bars made of them would
    be neither what the portfolios saw nor whole after a restart mid-minute.
    """

    def __init__(
        self,
        *,
        source: MarketDataSource,
        producer: BusProducer,
        topic: str,
        counters: Counters,
        dead_letters: DeadLetters,
        publish_all: bool = False,
        marks: FeedMarkStore | None = None,
        bars: BarStore | None = None,
    ) -> None:
        self.interest = InterestRegistry()
        self._answered: set[str] = set()
        self._answer = threading.Condition()
        self._source = source
        self._producer = producer
        self._topic = topic
        self._counters = counters
        self._publish_all = publish_all
        self._dead_letters = dead_letters
        self._bars = BarRecorder(bars, counters.add) if bars is not None else None
        self._marks = MarkKeeper(marks, delivered=self._undelivered) if marks is not None else None

    def request_sync(self) -> None:
        """Ask every node to send its interest set again."""
        self._producer.publish(SYSTEM_EVENTS, InterestSyncRequest(ts=time.time_ns()))

    def on_system_event(self, message: AnyMessage, delivery: Delivery) -> None:
        """Handler of the system-events topic."""
        if isinstance(message, InterestUpdate):
            if self.interest.update(message.node_id, message.symbols, message.ts):
                self._counters.add("interest_updates")
            with self._answer:
                self._answered.add(message.node_id)
                self._answer.notify_all()
        elif isinstance(message, NodeOffline):
            if self.interest.remove(message.node_id, message.ts):
                self._counters.add("nodes_offline")
        elif not isinstance(message, InterestSyncRequest):
            raise UnexpectedMessage(f"{type(message).__name__} on the system events topic")

    def await_interest(self, nodes: Iterable[str], timeout: float) -> set[str]:
        """Wait (up to ``timeout`` s) until each of ``nodes`` announced its interest, so the
        first updates are not skipped for want of a set still on its way; the nodes that did
        not answer in time (their symbols start flowing once they do)."""
        missing = set(nodes)
        deadline = time.monotonic() + timeout
        with self._answer:
            while missing - self._answered and (left := deadline - time.monotonic()) > 0:
                self._answer.wait(left)
            missing -= self._answered
        if missing:
            logger.warning("no interest from node(s) %s yet: starting without", sorted(missing))
        return missing

    def run(self, stop: threading.Event) -> None:
        """Publish the source's updates on its schedule until it ends or ``stop`` is set."""
        keeper, recorder = self._marks, self._bars
        source = self._source if keeper is None else self._source.resumed(keeper.load())
        if recorder is not None:
            recorder.start()
        try:
            self._publish(source, stop, keeper)
        finally:
            if recorder is not None:
                recorder.close()
            if keeper is not None:
                keeper.save()

    def _undelivered(self) -> int:
        """What the feed went past that consumers cannot read yet, or the store lacks."""
        left = self._producer.flush(DELIVERY_WAIT_SECONDS)
        if self._bars is not None:
            left += self._bars.flush(DELIVERY_WAIT_SECONDS)
        return left

    def _publish(
        self, source: MarketDataSource, stop: threading.Event, keeper: MarkKeeper | None
    ) -> None:
        due = time.monotonic()
        publish, wants, count = self._producer.publish, self.interest.wants, self._counters.add
        check = UpdateChecker().problem
        store = self._bars.record if self._bars is not None else None
        for paced in source.updates():
            due += paced.delay
            ahead = due - time.monotonic()
            if ahead > MIN_WAIT_SECONDS:
                if stop.wait(ahead):
                    break
            elif ahead < -MAX_LAG_SECONDS:
                due = time.monotonic()
            if stop.is_set():
                break
            update = paced.update
            problem = check(update)
            if problem is not None:
                self._refuse(update, problem)
            elif self._publish_all or wants(update.symbol):
                publish(self._topic, price_message(update))
                count("published")
            else:
                count("skipped")
            if problem is None:  # a refused price is neither stored nor marked
                if store is not None and isinstance(update, Bar):
                    store(update)
                if keeper is not None:
                    keeper.passed(update)
        else:
            logger.info("market data source exhausted")

    def _refuse(self, update: PriceUpdate, problem: str) -> None:
        self._counters.add("refused")
        message = price_message(update)
        self._dead_letters.send(
            reason=f"bad price, not published: {problem}",
            topic=self._topic,
            partition=-1,
            offset=-1,
            value=encode(message),
            key=update.symbol.encode(),
        )
