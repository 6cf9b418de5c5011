"""Upstream: bench.migration, scheduling.apis, scheduling.management.commands.portfolio_migrate
Downstream: monitoring.notifications.kinds, scheduling.models, scheduling.placement, scheduling.plan_store, scheduling.plans, scheduling.services.assignments, scheduling.services.publishing, scheduling.services.runs, scheduling.services.schedule, trading.bus.messages, trading.models, trading.selectors.live, trading.services.audit, trading.services.control, trading.services.portfolios
Role: portfolio_migrate: moves one running portfolio to another node by hand (plan sets, portfolio.migrate command, schedule updates, migration.done notice, history)."""

from dataclasses import dataclass

import redis
from confluent_kafka import KafkaException
from django.core.exceptions import ValidationError

from monitoring.notifications import kinds
from scheduling import plan_store
from scheduling.models import MANUAL, RunOutcome, RunTrigger, SchedulingRun
from scheduling.placement import Node, PlacementConfig
from scheduling.plans import migration_target, node_has_room, plan_locations
from scheduling.services.assignments import plan_commit
from scheduling.services.publishing import notice_publish, schedule_updates_publish
from scheduling.services.runs import run_finish
from scheduling.services.schedule import (
    LOCK_WAIT_SECONDS,
    ScheduleSnapshot,
    placement_config,
    schedule_snapshot_take,
)
from trading.bus.messages import CommandType
from trading.models import DesiredState, Portfolio
from trading.selectors.live import LiveStateUnavailable
from trading.services.audit import Actor, audited
from trading.services.control import CommandNotDelivered, command_publish
from trading.services.portfolios import PortfolioConflict


@dataclass(frozen=True)
class Migration:
    """Where a portfolio went, and the run that records it."""

    portfolio_id: str
    from_node: str
    to_node: str
    run: SchedulingRun


def portfolio_migrate(
    *,
    actor: Actor,
    portfolio_id: str,
    target_node: str | None = None,
    trigger: RunTrigger = RunTrigger.API,
) -> Migration:
    """Move a running, placed portfolio to ``target_node``, or to the least-loaded other
    node that is active, alive and has room.

    Holding the scheduler lock: the move is recorded (reason ``manual``) with a run and the
    two nodes' plan sets change in Redis (plan_commit: record first, so a failure leaves
    Redis as it was), then ``portfolio.migrate`` (config ``{"from", "to"}``) and the
    target's schedule update are published (the source's too if the command was not
    delivered), then a ``migration.done`` notice. The scheduler hears nothing back from the
    target (it starts the portfolio once the source has released it), so the notice says the
    move is assigned, not that the target runs it.
    Refusals: unknown portfolio or node (404 / 400), stopped or unplaced portfolio, target
    not eligible or full, a run in progress (PortfolioConflict); Redis failing
    (LiveStateUnavailable). Unacknowledged publications are warnings on the run: the nodes
    pull the plan anyway.
    """
    try:
        with (
            plan_store.scheduler_lock(wait=LOCK_WAIT_SECONDS) as held,
            audited(
                actor=actor,
                action=CommandType.PORTFOLIO_MIGRATE.value,
                target_type="portfolio",
                target_id=portfolio_id,
                parameters={"target_node": target_node},
            ),
        ):
            if not held:
                raise PortfolioConflict("a schedule run is in progress: try again shortly")
            return _migrate(portfolio_id, target_node, trigger)
    except redis.RedisError as exc:
        raise LiveStateUnavailable(f"the plan lives in Redis, which failed: {exc}") from exc


def _migrate(portfolio_id: str, requested: str | None, trigger: RunTrigger) -> Migration:
    portfolio = Portfolio.objects.filter(pk=portfolio_id).first()
    if portfolio is None:
        raise Portfolio.DoesNotExist(f"no portfolio {portfolio_id}")
    if portfolio.desired_state != DesiredState.RUNNING:
        raise PortfolioConflict(f"{portfolio_id} is stopped: only a running portfolio moves")
    snapshot = schedule_snapshot_take()
    source = plan_locations(snapshot.current).get(portfolio_id)
    if source is None:
        raise PortfolioConflict(f"{portfolio_id} is not on any node yet (pending)")
    target = _target(snapshot, portfolio_id, source, requested, placement_config())

    current = snapshot.current
    changes = {
        source: current[source] - {portfolio_id},
        target: current.get(target, frozenset()) | {portfolio_id},
    }
    run = SchedulingRun.objects.create(trigger=trigger)
    plan_commit(
        plan={**current, **changes}, changes=changes, reasons={portfolio_id: MANUAL}, run=run
    )
    undelivered = _command_publish(portfolio, source, target)
    # The source learns of the move from portfolio.migrate, and reports the portfolio as
    # `migrating`; its schedule update, on another topic, could overtake the command and stop
    # the portfolio as plainly `stopped`. It gets one only when the command was not
    # delivered (its plan pull would catch the change anyway).
    updated = changes if undelivered else {target: changes[target]}
    warnings = [
        *snapshot.warnings,
        *undelivered,
        *schedule_updates_publish(plans=updated),
        *notice_publish(
            kind=kinds.MIGRATION_DONE,
            message=f"{portfolio_id} moved from {source} to {target} (assigned: {target} "
            f"starts it once {source} has released it)",
            portfolio_id=portfolio_id,
            node_id=target,
        ),
    ]
    move = {"portfolio_id": portfolio_id, "from_node": source, "to_node": target, "reason": MANUAL}
    run_finish(
        run=run, outcome=RunOutcome.OK, moves=[move], changed_nodes=changes, warnings=warnings
    )
    return Migration(portfolio_id, source, target, run)


def _target(
    snapshot: ScheduleSnapshot,
    portfolio_id: str,
    source: str,
    requested: str | None,
    config: PlacementConfig,
) -> str:
    nodes = {node.node_id: node for node in snapshot.sync.nodes}
    if requested is None:
        target = migration_target(nodes.values(), snapshot.current, config, exclude=source)
        if target is None:
            raise PortfolioConflict("no other node is active, alive and has room")
        return target
    node = nodes.get(requested)
    if node is None:
        raise ValidationError({"target_node": [f"no node {requested}"]})
    if requested == source:
        raise ValidationError({"target_node": [f"{portfolio_id} already runs on {requested}"]})
    if not node_has_room(node, snapshot.current, config):
        raise PortfolioConflict(f"node {requested} cannot take it: {_why_not(node, config)}")
    return requested


def _why_not(node: Node, config: PlacementConfig) -> str:
    if not node.alive:
        return "no heartbeat"
    if not node.eligible:
        return f"it is {node.status}"
    return f"it is full (capacity {config.capacity_of(node)})"


def _command_publish(portfolio: Portfolio, source: str, target: str) -> list[str]:
    try:
        command_publish(
            command_type=CommandType.PORTFOLIO_MIGRATE,
            target_id=portfolio.portfolio_id,
            config={"from": source, "to": target},
            version=portfolio.version,
            reason="manual migration",
        )
    except (CommandNotDelivered, KafkaException, BufferError) as exc:
        return [f"portfolio.migrate not delivered: {exc}"]
    return []
