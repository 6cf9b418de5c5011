"""Upstream: (celery autodiscovery; named by scheduling.services.periodic)
Downstream: scheduling.models, scheduling.services.schedule
Role: the scheduler's Celery tasks, thin: each calls a service, which records its own run."""

from celery import shared_task

from scheduling.models import RunTrigger
from scheduling.services.schedule import heartbeat_check, schedule_run


@shared_task(ignore_result=True)
def schedule_run_task() -> None:
    """The schedule loop (celery-beat, every GINKGO_SCHEDULE_INTERVAL)."""
    schedule_run(trigger=RunTrigger.BEAT)


@shared_task(ignore_result=True)
def heartbeat_check_task() -> None:
    """Dead and new nodes (celery-beat, every GINKGO_HEARTBEAT_INTERVAL); runs the schedule
    at once when they changed."""
    heartbeat_check()
