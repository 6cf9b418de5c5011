"""Upstream: trading.node.host, trading.node.processor
Downstream: trading.core.config, trading.core.reload, trading.models, trading.node.loader, trading.services.portfolio_state
Role: portfolio checkpoints on the node side: what a processor captures (pipeline state, market position, counters), saving it, and resuming a new start from it (compatible state only)."""

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import DatabaseError, close_old_connections

from trading.core.config import PortfolioConfig
from trading.core.reload import carry_state, reload_carry
from trading.models import PortfolioCheckpoint
from trading.node.loader import LoadedPortfolio
from trading.services.portfolio_state import portfolio_checkpoint_save

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a portfolio read the market: updates processed, repeats skipped, and the
    newest update time per symbol (an update no newer than it is a repeat and is skipped,
    so a continuation never acts twice on one bar)."""

    processed: int = 0
    repeats: int = 0
    symbol_times: Mapping[str, datetime] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Captured:
    """A portfolio's checkpoint taken on its own thread (or after it ended)."""

    config: PortfolioConfig
    run_epoch: int
    state: dict[str, Any]
    progress: Progress
    last_event_time: datetime | None


def checkpoint_save(captured: Captured, node_id: str, reason: str) -> bool:
    """Record ``captured``; False (logged) when the database refused it."""
    progress = captured.progress
    try:
        close_old_connections()
        portfolio_checkpoint_save(
            portfolio_id=captured.config.portfolio_id,
            run_epoch=captured.run_epoch,
            version=captured.config.version,
            node_id=node_id,
            reason=reason,
            state=captured.state,
            symbol_times={s: t.isoformat() for s, t in progress.symbol_times.items()},
            processed=progress.processed,
            last_event_time=captured.last_event_time,
        )
    except DatabaseError as exc:
        logger.error("portfolio %s: checkpoint not saved: %s", captured.config.portfolio_id, exc)
        return False
    return True


def stored_progress(row: PortfolioCheckpoint) -> Progress:
    """The market position a stored checkpoint reached."""
    times = {s: datetime.fromisoformat(t) for s, t in row.symbol_times.items()}
    return Progress(row.processed, 0, times)


def stored_capture(row: PortfolioCheckpoint, config: PortfolioConfig) -> Captured:
    """A stored checkpoint of ``config``'s version as a capture."""
    return Captured(config, row.run_epoch, row.state, stored_progress(row), row.last_event_time)


def resume(loaded: LoadedPortfolio, captured: Captured) -> Progress:
    """Carry ``captured``'s strategy and risk state into ``loaded`` (not started yet) where
    they fit its config, and return the market position to continue from.

    What carries over is the reload rule of trading.core.reload (the backtest over several
    versions applies it too). Cash, positions and working orders are never taken from a
    checkpoint: the fills and orders in the database are the truth, so the pipeline's own
    fresh values are kept.
    """
    old, new = captured.config, loaded.config
    carry = reload_carry(old, new)
    carry_state(loaded.pipeline, captured.state, carry)
    logger.info(
        "portfolio %s v%d resumed from v%d (strategy state %s, risk state %s)",
        new.portfolio_id,
        new.version,
        old.version,
        "kept" if carry.strategy else "reset",
        "kept" if carry.risk else "reset",
    )
    return captured.progress
