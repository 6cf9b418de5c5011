"""Upstream: scheduling.services.schedule, scheduling.services.migration
Downstream: scheduling.models, scheduling.placement
Role: run_finish: closes a SchedulingRun row with its outcome, moves, pending portfolios and warnings (the api's /metrics counts runs and moves from these rows)."""

from collections.abc import Iterable, Mapping

from django.utils import timezone

from scheduling.models import RunOutcome, SchedulingRun
from scheduling.placement import PendingPortfolio


def run_finish(
    *,
    run: SchedulingRun,
    outcome: RunOutcome,
    moves: Iterable[Mapping[str, str | None]] = (),
    pending: Iterable[PendingPortfolio] = (),
    changed_nodes: Iterable[str] = (),
    warnings: Iterable[str] = (),
    error: str = "",
) -> SchedulingRun:
    """Store how the run ended and return it; ``moves`` are ``{portfolio_id, from_node,
    to_node, reason}`` (placement.Move as a dict, or a manual move)."""
    run.outcome = outcome
    run.finished_at = timezone.now()
    run.moves = [{key: None if v is None else str(v) for key, v in move.items()} for move in moves]
    run.moves_count = len(run.moves)
    run.pending = [{"portfolio_id": p.portfolio_id, "reason": str(p.reason)} for p in pending]
    run.changed_nodes = sorted(changed_nodes)
    run.warnings = list(warnings)
    run.error = error
    run.save()
    return run
