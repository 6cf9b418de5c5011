"""Upstream: ginkgo_site.devstack.cluster, scheduling.apis, scheduling.management.commands.schedule_run, scheduling.services.migration, scheduling.services.node_control, scheduling.tasks
Downstream: scheduling.models, scheduling.placement, scheduling.plan_store, scheduling.plans, scheduling.services.assignments, scheduling.services.nodes, scheduling.services.publishing, scheduling.services.runs, trading.models, trading.services.audit
Role: the schedule run (nodes, plans, placement, record and Redis plan sets, then updates and failover notices), one acting at a time, and the heartbeat check that triggers it."""

import logging
from dataclasses import asdict, dataclass, replace
from fractions import Fraction

import redis
from django.conf import settings

from scheduling import plan_store
from scheduling.models import Assignment, RunOutcome, RunTrigger, SchedulingRun
from scheduling.placement import PlacementConfig, place
from scheduling.plans import failovers, move_reasons, plan_changes, plan_merge
from scheduling.services.assignments import plan_commit
from scheduling.services.nodes import NodeSync, nodes_sync
from scheduling.services.publishing import (
    failover_notices_publish,
    pending_notice_publish,
    schedule_updates_publish,
)
from scheduling.services.runs import run_finish
from trading.models import DesiredState, Portfolio
from trading.services.audit import describe_error

logger = logging.getLogger(__name__)

# How long a run someone asked for (API, CLI, a dead node) waits for a run in progress.
LOCK_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class ScheduleSnapshot:
    """What a run starts from: the nodes, the portfolios that should run, the current plan.

    ``told`` is the plan sets as Redis has them (None: unreadable); ``current`` is ``told``
    completed from the assignments, for portfolios Redis lost.
    """

    sync: NodeSync
    wanted: frozenset[str]
    told: dict[str, frozenset[str]] | None
    current: dict[str, frozenset[str]]
    warnings: tuple[str, ...]


def schedule_snapshot_take() -> ScheduleSnapshot:
    """Sync the nodes and read the current plan (call it holding the scheduler lock)."""
    sync = nodes_sync()
    recorded = dict(Assignment.objects.filter(until__isnull=True).values_list("portfolio", "node"))
    running = Portfolio.objects.filter(desired_state=DesiredState.RUNNING)
    wanted = frozenset(running.values_list("portfolio_id", flat=True))
    warnings = list(sync.warnings)
    try:
        told = plan_store.plans_read({node.node_id for node in sync.nodes})
    except redis.RedisError as exc:
        logger.warning("cannot read the plans (%s); rebuilding them from the assignments", exc)
        told = None
        warnings.append(f"plans unreadable, rebuilt from the assignments: {exc}")
    return ScheduleSnapshot(sync, wanted, told, plan_merge(told or {}, recorded), tuple(warnings))


def placement_config(
    *, rebalance: bool = False, threshold: Fraction | None = None
) -> PlacementConfig:
    """The placement tuning of this deployment (GINKGO_NODE_CAPACITY)."""
    config = PlacementConfig(default_capacity=settings.GINKGO_NODE_CAPACITY, rebalance=rebalance)
    return config if threshold is None else replace(config, imbalance_threshold=threshold)


def schedule_run(
    *,
    trigger: RunTrigger,
    rebalance: bool = False,
    threshold: Fraction | None = None,
    wait: float = 0.0,
) -> SchedulingRun:
    """Place the running portfolios on the live nodes, holding the scheduler lock.

    Records the assignments and writes the changed ``schedule:plan:*`` sets, then publishes
    one update per changed node, a ``failover.done`` notice per dead node whose portfolios
    it placed elsewhere, a notice for pending portfolios, and records the run (see _act for
    why in this order). Without ``rebalance`` nothing healthy moves: new portfolios and
    those of dead, left, draining or disabled nodes are placed. Another run holding the
    lock past ``wait`` seconds makes this one ``skipped-locked``; any failure is recorded on
    the run (``failed``), not raised.
    """
    config = placement_config(rebalance=rebalance, threshold=threshold)
    run = SchedulingRun.objects.create(trigger=trigger, rebalance=rebalance)
    try:
        with plan_store.scheduler_lock(wait=wait) as held:
            if not held:
                return run_finish(run=run, outcome=RunOutcome.SKIPPED_LOCKED)
            return _act(run, config)
    except Exception as exc:
        logger.exception("schedule run %s failed", run.pk)
        return run_finish(run=run, outcome=RunOutcome.FAILED, error=describe_error(exc))


def heartbeat_check() -> SchedulingRun | None:
    """Sync the nodes; when one died, joined or resized (or Redis lost the plans), run the
    schedule at once. A node that stopped cleanly deleted its heartbeat, so it leaves here."""
    if not nodes_sync().changed:
        return None
    return schedule_run(trigger=RunTrigger.HEARTBEAT_CHECK, wait=LOCK_WAIT_SECONDS)


def _act(run: SchedulingRun, config: PlacementConfig) -> SchedulingRun:
    """Decide, then record and tell the nodes, then announce: in this order a run that fails
    leaves Redis and Kafka as they were.

    1. plan_commit: the assignments, then the Redis plan sets (what nodes act on), in one
       database transaction. A database failure (``database is locked`` ...) happens before
       Redis is touched; a Redis failure rolls the record back. The run fails, nothing
       changed, the next run decides again.
    2. Only once both hold the plan, the schedule updates and notices go on Kafka. A failed
       publication is a warning, not a failure: the nodes pull their plan set every
       schedule interval anyway.

    The plan view (the record) and what nodes run can then only disagree when the commit
    itself fails after the Redis write; the next run (at most one schedule interval later)
    takes the Redis sets as what the nodes were told and records them.
    """
    snapshot = schedule_snapshot_take()
    result = place(snapshot.sync.nodes, snapshot.wanted, snapshot.current, config)
    changes = plan_changes(result.plan, snapshot.told)
    reasons = move_reasons(result.moves, result.pending)
    plan_commit(plan=result.plan, changes=changes, reasons=reasons, run=run)
    warnings = [
        *snapshot.warnings,
        *schedule_updates_publish(plans=changes),
        *failover_notices_publish(failovers=failovers(result.moves)),
        *pending_notice_publish(pending=result.pending),
    ]
    if result.moves or changes:
        logger.info(
            "schedule run %s: %d move(s), nodes %s", run.pk, len(result.moves), list(changes)
        )
    return run_finish(
        run=run,
        outcome=RunOutcome.OK,
        moves=[asdict(move) for move in result.moves],
        pending=result.pending,
        changed_nodes=changes,
        warnings=warnings,
    )
