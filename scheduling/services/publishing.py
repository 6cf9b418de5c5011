"""Upstream: scheduling.services.schedule, scheduling.services.migration
Downstream: monitoring.notifications.kinds, monitoring.notifications.publish, scheduling.placement, scheduling.plan_store, scheduling.plans, trading.bus.codec, trading.bus.config, trading.bus.messages, trading.bus.producer, trading.bus.topics
Role: what the scheduler tells the bus: one schedule update per changed node, and notices (failovers, migrations, pending portfolios rate-limited).

Publishing never fails a run: the plan in Redis is what nodes act on (they pull it every
schedule interval), so an update the broker did not acknowledge is returned as a warning.
"""

import logging
import threading
from collections.abc import Iterable, Mapping, Sequence

import redis
from confluent_kafka import KafkaException
from django.conf import settings
from django.utils import timezone

from monitoring.notifications import kinds
from monitoring.notifications.publish import notice_build
from scheduling import plan_store
from scheduling.placement import Move, PendingPortfolio
from scheduling.plans import notice_due
from trading.bus.codec import to_ns
from trading.bus.config import BusConfig
from trading.bus.messages import Message, ScheduleUpdate
from trading.bus.producer import BusProducer
from trading.bus.topics import NOTIFICATIONS, SCHEDULE_UPDATES

logger = logging.getLogger(__name__)

SOURCE = "scheduler"
_PRODUCERS: dict[BusConfig, BusProducer] = {}
_PRODUCERS_LOCK = threading.Lock()


def schedule_updates_publish(*, plans: Mapping[str, Iterable[str]]) -> list[str]:
    """Publish ``{node_id, portfolio_ids, timestamp}`` for each node; returns warnings."""
    ts = to_ns(timezone.now())
    updates = [
        ScheduleUpdate(ts=ts, node_id=node_id, portfolio_ids=sorted(pids))
        for node_id, pids in sorted(plans.items())
    ]
    return _publish(SCHEDULE_UPDATES, updates)


def notice_publish(
    *, kind: str, message: str, node_id: str | None = None, portfolio_id: str | None = None
) -> list[str]:
    """Publish one notice of ``kind`` (monitoring.notifications.kinds) from the scheduler, at
    the catalogue's level; returns warnings."""
    notice = notice_build(
        kind=kind, message=message, source=SOURCE, portfolio_id=portfolio_id, node_id=node_id
    )
    return _publish(NOTIFICATIONS, [notice])


def failover_notices_publish(*, failovers: Mapping[str, Sequence[Move]]) -> list[str]:
    """One ``failover.done`` notice per node in ``failovers`` (plans.failovers): which node
    went, where each of its portfolios now runs, which wait for room; returns warnings."""
    notices = [
        notice_build(
            kind=kinds.FAILOVER_DONE,
            message=_failover_text(node_id, moves),
            source=SOURCE,
            node_id=node_id,
        )
        for node_id, moves in failovers.items()
    ]
    return _publish(NOTIFICATIONS, notices)


def pending_notice_publish(*, pending: Iterable[PendingPortfolio]) -> list[str]:
    """Announce portfolios waiting for room: at once when one is new, else at most once per
    quiet period (plan_store.NOTICE_QUIET_SECONDS). An unreadable memory means "announce"."""
    ids = sorted(p.portfolio_id for p in pending)
    try:
        previous = plan_store.notice_last()
    except redis.RedisError as exc:
        logger.warning("cannot read the last pending notice (%s)", exc)
        previous = None
    due = notice_due(previous, ids)
    warnings = []
    if due:
        message = f"{len(ids)} portfolio(s) wait for a node with room: {', '.join(ids)}"
        warnings += notice_publish(kind=kinds.PORTFOLIOS_PENDING, message=message)
    if due or (not ids and previous is not None):
        try:
            plan_store.notice_remember(",".join(ids))
        except redis.RedisError as exc:
            warnings.append(f"could not remember the pending notice: {exc}")
    return warnings


def scheduler_producers_close(timeout: float = 10.0) -> None:
    """Flush and forget this process's producers (shutdown, or a test's broker going away)."""
    with _PRODUCERS_LOCK:
        for producer in _PRODUCERS.values():
            producer.close(timeout)
        _PRODUCERS.clear()


def _failover_text(node_id: str, moves: Sequence[Move]) -> str:
    placed = ", ".join(f"{m.portfolio_id} -> {m.to_node}" for m in moves if m.to_node)
    waiting = ", ".join(m.portfolio_id for m in moves if m.to_node is None)
    text = f"node {node_id} is gone (no heartbeat), its portfolios moved: {placed}"
    return f"{text}; waiting for a node with room: {waiting}" if waiting else text


def _publish(topic: str, messages: Sequence[Message]) -> list[str]:
    if not messages:
        return []
    producer = _producer(BusConfig.from_settings())
    try:
        for message in messages:
            producer.publish(topic, message)
    except (KafkaException, BufferError) as exc:
        logger.warning("cannot publish on %s: %s", topic, exc)
        return [f"could not publish on {topic}: {exc}"]
    left = producer.flush(settings.GINKGO_COMMAND_TIMEOUT)
    if left:
        logger.warning("%d message(s) on %s not acknowledged yet", left, topic)
        return [f"{left} message(s) on {topic} not acknowledged in time"]
    return []


def _producer(bus: BusConfig) -> BusProducer:
    # One producer per bus per process, shared by the worker's threads.
    with _PRODUCERS_LOCK:
        if bus not in _PRODUCERS:
            _PRODUCERS[bus] = BusProducer(bus, source=SOURCE)
        return _PRODUCERS[bus]
