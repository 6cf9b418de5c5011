"""Upstream: monitoring.selectors, scheduling.apis
Downstream: scheduling.models, scheduling.placement, scheduling.plan_store, trading.models
Role: the scheduler's reads: the recorded plan with pending portfolios, recent runs, nodes with their live heartbeat and load (dead and left nodes forgotten after GINKGO_NODE_FORGET_AFTER)."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

import redis
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from scheduling import plan_store
from scheduling.models import Assignment, ExecutionNode, SchedulingRun
from scheduling.placement import GONE_STATUSES
from trading.models import DesiredState, Portfolio

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NodeView:
    """A node with what the API shows: liveness, heartbeat age, load, its portfolios, and
    whether it is forgotten: dead or left (as the heartbeat check declared it) for longer
    than GINKGO_NODE_FORGET_AFTER, holding nothing."""

    node: ExecutionNode
    alive: bool
    last_heartbeat: datetime | None
    heartbeat_age: float | None
    capacity: int
    portfolio_ids: list[str]
    forgotten: bool

    @property
    def load(self) -> float:
        """Portfolios held over capacity (0 for a node of capacity 0)."""
        return float(Fraction(len(self.portfolio_ids), self.capacity)) if self.capacity else 0.0


@dataclass(frozen=True)
class PlanView:
    """The recorded plan (node -> portfolio ids) and the running portfolios on no node."""

    nodes: list[NodeView]
    pending: list[str]


def recorded_plan() -> dict[str, list[str]]:
    """Node id -> portfolio ids of the current assignments (the plan of record)."""
    plan: dict[str, list[str]] = {}
    rows = Assignment.objects.filter(until__isnull=True).order_by("node_id", "portfolio_id")
    for node_id, portfolio_id in rows.values_list("node_id", "portfolio_id"):
        plan.setdefault(node_id, []).append(portfolio_id)
    return plan


def node_list(*, forgotten: bool = False) -> list[NodeView]:
    """The known nodes, liveness from their heartbeat key (as recorded when Redis fails);
    forgotten ones only when ``forgotten`` is set."""
    views = _views(list(ExecutionNode.objects.all()))
    return views if forgotten else [view for view in views if not view.forgotten]


def node_get(*, node_id: str) -> NodeView:
    """One node; ExecutionNode.DoesNotExist when unknown."""
    node = ExecutionNode.objects.filter(pk=node_id).first()
    if node is None:
        raise ExecutionNode.DoesNotExist(f"no node {node_id}")
    return _views([node])[0]


def schedule_plan_get() -> PlanView:
    """The plan as recorded, per node not forgotten, and the portfolios that should run but
    are on none."""
    nodes = node_list()
    placed = {pid for view in nodes for pid in view.portfolio_ids}
    running = Portfolio.objects.filter(desired_state=DesiredState.RUNNING)
    pending = sorted(set(running.values_list("portfolio_id", flat=True)) - placed)
    return PlanView(nodes, pending)


def run_list() -> QuerySet[SchedulingRun]:
    """Scheduling runs, newest first."""
    return SchedulingRun.objects.all()


def _views(nodes: list[ExecutionNode]) -> list[NodeView]:
    plan = recorded_plan()
    try:
        beats = plan_store.heartbeats_read(node.node_id for node in nodes)
    except redis.RedisError as exc:
        logger.warning("cannot read heartbeats (%s); showing the recorded ones", exc)
        beats = None
    now = timezone.now()
    forget_before = now - timedelta(seconds=settings.GINKGO_NODE_FORGET_AFTER)
    views = []
    for node in nodes:
        if beats is None:
            alive, last = node.status not in GONE_STATUSES, node.last_heartbeat
        else:
            beat = beats.get(node.node_id)
            alive = beat is not None
            last = (beat.at if beat else None) or node.last_heartbeat
        own = node.own_capacity
        capacity = settings.GINKGO_NODE_CAPACITY if own is None else own
        age = (now - last).total_seconds() if last else None
        held = plan.get(node.node_id, [])
        forgotten = (
            node.status in GONE_STATUSES
            and node.gone_at is not None
            and node.gone_at <= forget_before
            and not held
        )
        views.append(NodeView(node, alive, last, age, capacity, held, forgotten))
    return views
