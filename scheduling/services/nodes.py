"""Upstream: scheduling.services.schedule
Downstream: scheduling.models, scheduling.placement, scheduling.plan_store
Role: nodes_sync: who is alive (heartbeat keys), the one place that declares a node dead or left, with the ExecutionNode rows kept in step (joins, departures, declared capacity) and nodes:active pruned."""

import logging
from dataclasses import dataclass

import redis
from django.utils import timezone

from scheduling import plan_store
from scheduling.models import NODE_ID, Assignment, ExecutionNode
from scheduling.placement import GONE_STATUSES, Node, NodeStatus
from scheduling.plan_store import Heartbeat

logger = logging.getLogger(__name__)

# A node in one of these whose heartbeat is gone is dead (or left, after a clean stop); a
# disabled one stays disabled (the operator's decision outlives the process).
_MORTAL = (NodeStatus.ACTIVE, NodeStatus.DRAINING)


@dataclass(frozen=True)
class NodeSync:
    """Every known node as placement sees it, and what changed on the way."""

    nodes: tuple[Node, ...]
    joined: tuple[str, ...] = ()
    died: tuple[str, ...] = ()
    left: tuple[str, ...] = ()
    resized: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    wiped: bool = False

    @property
    def changed(self) -> bool:
        """Whether a run is due now: a node came, went or resized, or Redis lost the plans."""
        return bool(self.joined or self.died or self.left or self.resized or self.wiped)


def nodes_sync() -> NodeSync:
    """Read the heartbeats of every known or announced node and update the rows.

    A heartbeat creates the row of a new node and revives a dead or departed one; a node
    whose key is gone is marked ``left`` when it withdrew (a clean stop deletes the key and
    says ``offline`` in its info hash), else ``dead`` (the key expired), with ``gone_at``,
    and dropped from ``nodes:active``. This is the only place that decides it: views and
    notices read the status. When Redis cannot be read, or holds none of our keys although
    nodes hold portfolios (it restarted empty or was flushed; the nodes re-announce within a
    heartbeat interval), nothing is marked gone: the nodes are taken as last recorded.
    """
    known = set(ExecutionNode.objects.values_list("node_id", flat=True))
    try:
        announced = plan_store.active_nodes_read()
        beats = plan_store.heartbeats_read(announced | known)
        withdrawn = plan_store.withdrawn_read(known - beats.keys())
        wiped = not announced and not beats and _looks_wiped(known)
    except redis.RedisError as exc:
        logger.warning("cannot read heartbeats (%s); keeping the nodes as recorded", exc)
        return _as_recorded(f"heartbeats unreadable, nodes as recorded: {exc}")
    if wiped:
        logger.warning("Redis holds no heartbeat and no plan: keeping the nodes as recorded")
        return _as_recorded("Redis was empty (restarted or flushed): nodes as recorded", True)

    warnings = [f"ignored the heartbeat of malformed node id {n!r}" for n in beats if not _valid(n)]
    beats = {node_id: beat for node_id, beat in beats.items() if _valid(node_id)}
    joined, resized = [], []
    for node_id, beat in sorted(beats.items()):
        came, grew = _seen(node_id, beat)
        joined += [node_id] if came else []
        resized += [node_id] if grew else []
    mortal = ExecutionNode.objects.filter(status__in=_MORTAL).exclude(pk__in=beats)
    gone = set(mortal.values_list("node_id", flat=True))
    left, died = sorted(gone & withdrawn), sorted(gone - withdrawn)
    now = timezone.now()
    for status, node_ids in ((NodeStatus.LEFT, left), (NodeStatus.DEAD, died)):
        mortal.filter(pk__in=node_ids).update(status=status, gone_at=now)
    try:
        plan_store.active_nodes_remove(announced - beats.keys())
    except redis.RedisError as exc:
        warnings.append(f"could not prune nodes:active: {exc}")
    nodes = tuple(_as_node(row, alive=row.node_id in beats) for row in ExecutionNode.objects.all())
    if joined or died or left:
        logger.info("nodes joined %s, died %s, left %s", joined, died, left)
    return NodeSync(nodes, tuple(joined), tuple(died), tuple(left), tuple(resized), tuple(warnings))


def _looks_wiped(known: set[str]) -> bool:
    # All nodes crashing leaves their plan sets behind, a last clean stop too; only an empty
    # Redis has lost the plans of portfolios the record still places.
    placed = Assignment.objects.filter(until__isnull=True).exists()
    return placed and not plan_store.plans_read(known)


def _as_recorded(warning: str, wiped: bool = False) -> NodeSync:
    rows = ExecutionNode.objects.all()
    nodes = tuple(_as_node(row, alive=row.status not in GONE_STATUSES) for row in rows)
    return NodeSync(nodes, warnings=(warning,), wiped=wiped)


def _seen(node_id: str, beat: Heartbeat) -> tuple[bool, bool]:
    """Record a heartbeat; (joined: new, or back from dead or left, resized: capacity changed)."""
    fields = {"last_heartbeat": beat.at or timezone.now()}
    if beat.host:
        fields["host"] = beat.host
    if beat.started_at:
        fields["started_at"] = beat.started_at
    row, created = ExecutionNode.objects.get_or_create(
        node_id=node_id, defaults={**fields, "declared_capacity": beat.capacity}
    )
    if created:
        return True, False
    # Field-wise updates: an operator may change the status at the same moment.
    ExecutionNode.objects.filter(pk=node_id).update(**fields)
    revived = ExecutionNode.objects.filter(pk=node_id, status__in=GONE_STATUSES).update(
        status=NodeStatus.ACTIVE, gone_at=None
    )
    resized = beat.capacity is not None and beat.capacity != row.declared_capacity
    if resized:
        ExecutionNode.objects.filter(pk=node_id).update(declared_capacity=beat.capacity)
    return bool(revived), resized


def _valid(node_id: str) -> bool:
    return NODE_ID.regex.fullmatch(node_id) is not None


def _as_node(row: ExecutionNode, *, alive: bool) -> Node:
    return Node(row.node_id, NodeStatus(row.status), alive, row.own_capacity)
