"""Upstream: monitoring.notifications.service
Downstream: monitoring.notifications.intake, monitoring.notifications.kinds, scheduling.models, scheduling.placement, scheduling.plan_store, trading.redis_store
Role: NodeWatch: announces a node's state changes (heartbeat late, node dead, left, back), edge-triggered, state kept in Redis; dead and left are read from the record, never decided here.

A node cannot report its own death, so the notification service watches: every node in
``nodes:active``, every node the record holds as active or draining or as gone (dead or left)
within GINKGO_NODE_FORGET_AFTER and not yet announced so, and every node last seen alive.
Whether a node is dead or left is the heartbeat check's verdict (scheduling.services.nodes),
read from the record; only lateness (a heartbeat still there but old) is observed here. Each
node's last state is kept in one Redis hash and changed by compare-and-set, so a state change
is announced once, across restarts and even with two services watching.
"""

import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from enum import StrEnum

import redis
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from monitoring.notifications import kinds
from monitoring.notifications.intake import IncomingNotice
from scheduling import plan_store
from scheduling.models import ExecutionNode
from scheduling.placement import NodeStatus
from trading.redis_store import redis_client

logger = logging.getLogger(__name__)

SOURCE = "notifications"
# Set the field to ARGV[3] only if it still holds ARGV[2] (missing counts as "").
_CAS = """
if (redis.call('hget', KEYS[1], ARGV[1]) or '') == ARGV[2] then
  redis.call('hset', KEYS[1], ARGV[1], ARGV[3])
  return 1
end
return 0
"""


class NodeState(StrEnum):
    OK = "ok"
    LATE = "late"
    DEAD = "dead"
    LEFT = "left"


_WATCHED = (NodeState.OK, NodeState.LATE)
_SERVING = (NodeStatus.ACTIVE, NodeStatus.DRAINING)


_VERDICTS: dict[str, NodeState] = {NodeStatus.DEAD: NodeState.DEAD, NodeStatus.LEFT: NodeState.LEFT}


def node_state(*, status: str, heartbeat_age: float | None, lost_after: float) -> NodeState | None:
    """A node's state: ``dead`` or ``left`` when its recorded ``status`` says so (the
    heartbeat check's verdict), else ``late`` once its heartbeat is older than
    ``lost_after`` seconds, else ``ok``; None when the heartbeat key is gone
    (``heartbeat_age`` None) but no verdict is recorded yet."""
    verdict = _VERDICTS.get(status)
    if verdict is not None or heartbeat_age is None:
        return verdict
    return NodeState.LATE if heartbeat_age > lost_after else NodeState.OK


def transition_notice(
    node_id: str, before: NodeState | None, after: NodeState, heartbeat_age: float | None
) -> tuple[str, str] | None:
    """(kind, text) of the notice a state change raises; None when it raises none."""
    was_up = before in (None, NodeState.OK, NodeState.LATE)
    if after is NodeState.LATE and before in (None, NodeState.OK):
        return kinds.NODE_HEARTBEAT_LOST, f"node {node_id}: no heartbeat for {heartbeat_age:.0f} s"
    if after is NodeState.DEAD and was_up:
        return kinds.NODE_DEAD, f"node {node_id}: heartbeat expired, the node is dead"
    if after is NodeState.LEFT and was_up:
        return kinds.NODE_LEFT, f"node {node_id} stopped cleanly"
    if after is NodeState.OK and before in (NodeState.LATE, NodeState.DEAD, NodeState.LEFT):
        return kinds.NODE_RECOVERED, f"node {node_id} heartbeats again (was {before})"
    return None


def _parse(raw: str) -> NodeState | None:
    try:
        return NodeState(raw)
    except ValueError:
        return None


def _due(rows: Iterable[tuple[str, str, datetime | None]], states: dict[str, str]) -> set[str]:
    """The recorded nodes to watch, of ``rows`` (node id, status, gone at): those in service,
    and those gone within GINKGO_NODE_FORGET_AFTER and not yet announced as such."""
    recent = timezone.now() - timedelta(seconds=settings.GINKGO_NODE_FORGET_AFTER)
    return {
        node_id
        for node_id, status, gone_at in rows
        if status in _SERVING
        or (status in _VERDICTS and gone_at and gone_at >= recent and states.get(node_id) != status)
    }


def _last_up(states: dict[str, str]) -> set[str]:
    return {node_id for node_id, state in states.items() if state in _WATCHED}


def _states_key() -> str:
    # Not a SPEC.md §4 key: the notification service's own, under the same prefix.
    return f"{settings.GINKGO_REDIS_PREFIX}monitoring:node_states"


class NodeWatch:
    """Applies the liveness rules on each :meth:`tick` and hands the notices to ``emit``.

    ``lost_after`` is the heartbeat age (seconds) past which a node is late.
    """

    def __init__(self, emit: Callable[[IncomingNotice], object], *, lost_after: float) -> None:
        self._emit = emit
        self._lost_after = lost_after

    def tick(self) -> None:
        """Observe every watched node once; Redis or database faults skip this tick."""
        try:
            self._observe()
        except (redis.RedisError, DatabaseError) as exc:
            logger.warning("node watch skipped a tick: %s", exc)

    def _observe(self) -> None:
        client = redis_client()
        states: dict[str, str] = client.hgetall(_states_key())  # type: ignore[assignment]
        rows = list(ExecutionNode.objects.values_list("node_id", "status", "gone_at"))
        recorded = {node_id: status for node_id, status, _ in rows}
        watched = plan_store.active_nodes_read() | _due(rows, states) | _last_up(states)
        beats = plan_store.heartbeats_read(watched)
        now = timezone.now()
        for node_id in sorted(watched):
            beat = beats.get(node_id)
            age = None if beat is None else max(0.0, (now - (beat.at or now)).total_seconds())
            after = node_state(
                status=recorded.get(node_id, ""), heartbeat_age=age, lost_after=self._lost_after
            )
            before_raw = states.get(node_id, "")
            before = _parse(before_raw)
            if (
                after is None
                or before is after
                or not client.eval(_CAS, 1, _states_key(), node_id, before_raw, after)
            ):
                continue
            change = transition_notice(node_id, before, after, age)
            if change is not None:
                kind, text = change
                self._emit(
                    IncomingNotice(
                        kind=kind,
                        level=kinds.default_level(kind),
                        message=text,
                        source=SOURCE,
                        ts=time.time_ns(),
                        node_id=node_id,
                    )
                )
