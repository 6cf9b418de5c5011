"""Upstream: monitoring.notifications.service
Downstream: monitoring.notifications.intake, monitoring.notifications.kinds, scheduling.models, scheduling.placement, scheduling.plan_store, trading.redis_store
Role: NodeWatch: the liveness rules only an observer can apply (heartbeat late, node dead, left, back), edge-triggered, state kept in Redis.

A node cannot report its own death, so the notification service watches the heartbeats: every
node in ``nodes:active``, every node the record holds as active or draining, and every node
last seen alive. Each node's last state is kept in one Redis hash and changed by
compare-and-set, so a state change is announced once, across restarts and even with two
services watching.
"""

import logging
import time
from collections.abc import Callable, Iterable
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
from trading.redis_store import node_info_key, redis_client

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


def node_state(*, heartbeat_age: float | None, offline: bool, lost_after: float) -> NodeState:
    """A node's state from its heartbeat (None: the key is gone) and its info hash."""
    if heartbeat_age is None:
        return NodeState.LEFT if offline else NodeState.DEAD
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
        watched = self._watched(states)
        beats = plan_store.heartbeats_read(watched)
        now = timezone.now()
        gone = sorted(set(watched) - beats.keys())
        offline = dict(zip(gone, self._offline(client, gone), strict=True))
        for node_id in sorted(watched):
            beat = beats.get(node_id)
            age = None if beat is None else max(0.0, (now - (beat.at or now)).total_seconds())
            after = node_state(
                heartbeat_age=age, offline=offline.get(node_id, False), lost_after=self._lost_after
            )
            before_raw = states.get(node_id, "")
            before = _parse(before_raw)
            if before is after or not client.eval(
                _CAS, 1, _states_key(), node_id, before_raw, after
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

    @staticmethod
    def _watched(states: dict[str, str]) -> set[str]:
        recorded = ExecutionNode.objects.filter(
            status__in=(NodeStatus.ACTIVE, NodeStatus.DRAINING)
        ).values_list("node_id", flat=True)
        last_up = {node_id for node_id, state in states.items() if state in _WATCHED}
        return plan_store.active_nodes_read() | set(recorded) | last_up

    @staticmethod
    def _offline(client: redis.Redis, node_ids: Iterable[str]) -> list[bool]:
        with client.pipeline(transaction=False) as pipe:
            for node_id in node_ids:
                pipe.hget(node_info_key(node_id), "status")
            return [status == "offline" for status in pipe.execute()]
