"""Upstream: trading.services.backtests, (Celery autodiscovery)
Downstream: trading.services.backtests
Role: Celery tasks of the trading app; each fetches by id and calls a service."""

from celery import shared_task

from trading.services.backtests import backtest_run


@shared_task
def backtest_run_task(backtest_id: int) -> str:
    """Run one queued backtest; returns its final status."""
    return backtest_run(backtest_id=backtest_id).status
