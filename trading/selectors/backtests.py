"""Upstream: monitoring.views, trading.apis.backtests
Downstream: trading.models
Role: reads of backtest runs (newest first) and one run."""

from django.db.models import QuerySet

from trading import models


def backtest_list(
    *, portfolio_id: str | None = None, status: str | None = None
) -> QuerySet[models.Backtest]:
    """Backtest runs without their uploaded bars, optionally of one portfolio or status."""
    rows = models.Backtest.objects.defer("bars_csv", "result")
    if portfolio_id:
        rows = rows.filter(portfolio_id=portfolio_id)
    if status:
        rows = rows.filter(status=status)
    return rows


def backtest_get(*, backtest_id: int) -> models.Backtest | None:
    """One run with its results, or None."""
    return models.Backtest.objects.defer("bars_csv").filter(pk=backtest_id).first()
