"""Upstream: trading.services.backtests, (Celery autodiscovery)
Downstream: trading.services.backtests, trading.services.portfolio_verify
Role: Celery tasks of the trading app; each fetches by id and calls a service."""

from celery import shared_task

from trading.services.backtests import backtest_run
from trading.services.portfolio_verify import portfolio_verify_watch


@shared_task
def backtest_run_task(backtest_id: int) -> str:
    """Run one queued backtest; returns its final status."""
    return backtest_run(backtest_id=backtest_id).status


@shared_task(ignore_result=True)
def portfolio_verify_task() -> int:
    """The paper twin of every running portfolio (celery-beat, every minute): a first
    divergence raises one ``portfolio.diverged`` notice; returns how many diverge."""
    return sum(not verification.equal for verification in portfolio_verify_watch())
