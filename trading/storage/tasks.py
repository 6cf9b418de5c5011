"""Upstream: trading.services.bar_imports
Downstream: trading.services.bar_imports, trading.services.trade_mirror
Role: Celery tasks of the storage tiers: run a bar import job, mirror fills into the trade store (periodic)."""

from celery import shared_task

from trading.services.bar_imports import bar_import_run
from trading.services.trade_mirror import trade_mirror_run


@shared_task
def bar_import_task(import_id: int) -> str:
    """Run one queued bar import; returns its final status."""
    return bar_import_run(import_id=import_id).status


@shared_task
def trade_mirror_task() -> int:
    """Copy fills recorded since the last run into the trade store; returns how many.

    Meant for celery-beat every few seconds; runs that overlap skip (one mirror at a time).
    """
    return trade_mirror_run().copied
