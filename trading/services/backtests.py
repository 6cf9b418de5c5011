"""Upstream: trading.apis.backtests, trading.tasks
Downstream: trading.core.backtest.engine, trading.core.config, trading.core.data.csv_bars, trading.core.errors, trading.models, trading.selectors.components, trading.selectors.configs, trading.services.audit, trading.tasks
Role: backtest runs as job rows: queue one for a stored portfolio over uploaded bars, and run it (queued -> running -> done/failed)."""

import logging
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trading import models
from trading.core.backtest.engine import BacktestEngine
from trading.core.config import PortfolioConfig, validate_config
from trading.core.data.csv_bars import read_csv_bars
from trading.core.errors import CoreError, DataError
from trading.selectors.components import component_registry
from trading.selectors.configs import portfolio_snapshot
from trading.services.audit import Actor, audited

logger = logging.getLogger(__name__)

# Uploaded bars are kept in the row; beyond this, load the data into the bar store instead.
MAX_BARS_CHARACTERS = 20_000_000
BARS_NAME = "bars.csv"


def backtest_create(
    *, actor: Actor, portfolio_id: str, bars_csv: str, symbol: str = ""
) -> models.Backtest:
    """Queue a backtest of the portfolio's current version over ``bars_csv`` (bars of
    ``symbol``, by default the portfolio's first symbol); the run starts after the commit."""
    parameters = {"symbol": symbol, "bars_characters": len(bars_csv)}
    with audited(
        actor=actor,
        action="backtest.run",
        target_type="portfolio",
        target_id=portfolio_id,
        parameters=parameters,
    ):
        portfolio = models.Portfolio.objects.filter(pk=portfolio_id).first()
        if portfolio is None:
            raise ValidationError({"portfolio_id": [f"no portfolio {portfolio_id}"]})
        symbol = symbol or portfolio.symbols[0]
        if symbol not in portfolio.symbols:
            raise ValidationError({"symbol": [f"{symbol} is not one of {portfolio_id}'s symbols"]})
        if not bars_csv.strip() or len(bars_csv) > MAX_BARS_CHARACTERS or "\x00" in bars_csv:
            raise ValidationError(
                {"bars": [f"expected CSV text of 1 to {MAX_BARS_CHARACTERS} characters"]}
            )
        backtest = models.Backtest.objects.create(
            portfolio=portfolio,
            portfolio_version=portfolio.version,
            config=portfolio_snapshot(portfolio=portfolio),
            symbol=symbol,
            bars_csv=bars_csv,
            created_by=actor,
        )
        # Imported here: the task module imports this one.
        from trading.tasks import backtest_run_task

        transaction.on_commit(lambda: backtest_run_task.delay(backtest.pk))
    return backtest


def backtest_run(*, backtest_id: int) -> models.Backtest:
    """Run a queued backtest and store its results, or why it failed (never raises for a
    bad configuration or bad bars: those are the run's outcome)."""
    backtest = models.Backtest.objects.get(pk=backtest_id)
    backtest.status = models.JobStatus.RUNNING
    backtest.started_at = timezone.now()
    backtest.save(update_fields=["status", "started_at"])
    try:
        backtest.result = _run(backtest)
        backtest.status = models.JobStatus.DONE
    except CoreError as exc:
        backtest.error = str(exc)
        backtest.status = models.JobStatus.FAILED
    except Exception as exc:
        logger.exception("backtest %s crashed", backtest_id)
        backtest.error = f"internal error: {exc!r}"
        backtest.status = models.JobStatus.FAILED
    backtest.finished_at = timezone.now()
    backtest.save(update_fields=["status", "result", "error", "finished_at"])
    return backtest


def _run(backtest: models.Backtest) -> dict[str, object]:
    registry = component_registry()
    config = validate_config(PortfolioConfig.from_dict(backtest.config), registry)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / BARS_NAME
        path.write_text(backtest.bars_csv, encoding="utf-8")
        try:
            result = BacktestEngine(config, registry=registry).run(
                read_csv_bars(path, backtest.symbol)
            )
        except DataError as exc:
            # The temporary path means nothing to the user; the upload's name does.
            raise DataError(str(exc).replace(str(path), BARS_NAME)) from None
    return result.to_dict()
