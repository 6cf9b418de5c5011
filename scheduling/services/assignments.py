"""Upstream: scheduling.services.schedule, scheduling.services.migration
Downstream: scheduling.models, scheduling.plan_store, scheduling.plans
Role: assignments_record: brings the assignment history in line with a plan (a move closes the current row and opens a new one); plan_commit: the record and the Redis plan sets changed together, record first."""

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from scheduling import plan_store
from scheduling.models import RECONCILE, Assignment, SchedulingRun
from scheduling.plans import Plan, plan_locations


@transaction.atomic
def assignments_record(
    *, plan: Plan, reasons: Mapping[str, str], run: SchedulingRun | None
) -> tuple[int, int]:
    """Close the current assignments the plan no longer has and open the ones it adds.

    ``reasons`` (portfolio id -> reason) labels both; a difference with no reason is the
    record catching up with what the nodes were told (``reconcile``). Returns (closed, opened).
    """
    now = timezone.now()
    wanted = plan_locations(plan)
    current = {
        row.portfolio_id: row
        for row in Assignment.objects.select_for_update().filter(until__isnull=True)
    }
    closing = [row for pid, row in current.items() if wanted.get(pid) != row.node_id]
    for row in closing:
        row.until = now
        row.end_reason = reasons.get(row.portfolio_id, RECONCILE)
    Assignment.objects.bulk_update(closing, ["until", "end_reason"])
    opening = [
        Assignment(
            portfolio_id=pid,
            node_id=node_id,
            since=now,
            reason=reasons.get(pid, RECONCILE),
            run=run,
        )
        for pid, node_id in sorted(wanted.items())
        if pid not in current or current[pid].node_id != node_id
    ]
    Assignment.objects.bulk_create(opening)
    return len(closing), len(opening)


def plan_commit(
    *, plan: Plan, changes: Plan, reasons: Mapping[str, str], run: SchedulingRun | None
) -> None:
    """Record ``plan`` (assignments_record), then write ``changes`` to the Redis plan sets,
    in one database transaction: a database failure leaves Redis untouched, a Redis failure
    rolls the record back (why this order: scheduling.services.schedule._act)."""
    with transaction.atomic():
        assignments_record(plan=plan, reasons=reasons, run=run)
        plan_store.plans_write(changes)
