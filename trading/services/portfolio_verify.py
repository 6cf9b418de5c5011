"""Upstream: trading.apis.portfolio_verify, trading.management.commands.portfolio_verify, trading.tasks
Downstream: monitoring.notifications.kinds, monitoring.notifications.publish, trading.core.backtest.compare, trading.core.backtest.engine, trading.core.errors, trading.core.ports, trading.models, trading.node.spans, trading.redis_store, trading.selectors.components, trading.services.portfolio_state, trading.services.replays
Role: the paper twin: replays a portfolio's live history over the stored bars, span by span (one per configuration version), compares its fills with the recorded ones, and notices a divergence once.

Where live began and ended under each version comes from :func:`live_spans`: the spans the
node keeps in its checkpoints (trading.node.spans).
"""

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import redis
from django.core.exceptions import ObjectDoesNotExist

from monitoring.notifications import kinds
from monitoring.notifications.publish import publish_notice
from trading import models
from trading.core.backtest.compare import Divergence, FillComparison, compare_fills, fill_text
from trading.core.backtest.engine import ExecutionSettings, Span, backtest_versions
from trading.core.errors import CoreError
from trading.core.ports import StoreUnavailable
from trading.node.spans import LiveSpan, spans_of
from trading.redis_store import portfolio_diverged_key, redis_client
from trading.selectors.components import component_registry
from trading.services.portfolio_state import portfolio_checkpoint_latest, portfolio_fill_list
from trading.services.replays import portfolio_version_config, stored_bars

logger = logging.getLogger(__name__)

# The venue the replay trades on: the paper gateway's, as LiveCore runs it by default.
EXECUTION = ExecutionSettings()
NOTICE_SOURCE = "verify"

_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class ReplayedSpan:
    """A live span and how many stored bars its replay went through."""

    span: LiveSpan
    bars: int


@dataclass(frozen=True, slots=True)
class Verification:
    """A portfolio's live fills against the replay of its live history."""

    portfolio_id: str
    spans: tuple[ReplayedSpan, ...]
    # The last stored bar replayed: fills after it (made on ticks, which are not stored, or
    # not yet stored) are not compared.
    until: datetime | None
    comparison: FillComparison

    @property
    def equal(self) -> bool:
        """True when live made exactly the replay's trades (nothing to compare: True)."""
        return self.comparison.equal

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: what the command prints with --json and the API answers."""
        comparison = self.comparison
        divergence = comparison.divergence
        return {
            "portfolio_id": self.portfolio_id,
            "equal": comparison.equal,
            "spans": [
                {
                    "version": replayed.span.version,
                    "first_event_time": replayed.span.first_event_time.isoformat(),
                    "last_event_time": replayed.span.last_event_time.isoformat(),
                    "bars": replayed.bars,
                }
                for replayed in self.spans
            ],
            "until": self.until.isoformat() if self.until else None,
            "live_fills": comparison.live,
            "replayed_fills": comparison.replayed,
            "matched": comparison.matched,
            "first_divergence": divergence.to_dict() if divergence else None,
        }


def live_spans(*, portfolio_id: str) -> tuple[LiveSpan, ...]:
    """The portfolio's live spans, oldest first, as the node keeps them in its newest
    checkpoint; none before it handled an update live."""
    newest = portfolio_checkpoint_latest(portfolio_id=portfolio_id)
    return spans_of(newest.state) if newest is not None else ()


def portfolio_verify(*, portfolio_id: str) -> Verification:
    """Replay the portfolio's live history and compare, fill by fill (time, symbol, side,
    quantity, price), with its recorded fills of the same time range: from the first span's
    first event time to the last bar replayed (ticks are not stored: what a portfolio did on
    them is not compared).

    Each span is its version's configuration over the stored bars of its symbols from its
    first to its last event time; from one span to the next, cash and positions carry on
    and strategy and risk state are kept or reset as a node's reload does
    (trading.core.backtest.engine.backtest_versions). Raises ``Portfolio.DoesNotExist``,
    ConfigError for a version the core refuses, StoreUnavailable when bars cannot be read.
    """
    if not models.Portfolio.objects.filter(pk=portfolio_id).exists():
        raise models.Portfolio.DoesNotExist(f"no portfolio {portfolio_id}")
    spans = live_spans(portfolio_id=portfolio_id)
    if not spans:
        return Verification(portfolio_id, (), None, compare_fills([], []))
    replayed: list[ReplayedSpan] = []
    runs: list[Span] = []
    after: datetime | None = None
    for span in spans:
        config = portfolio_version_config(portfolio_id=portfolio_id, version=span.version)
        # A bar at a time two spans share went to the earlier one.
        start = span.first_event_time if after is None else max(span.first_event_time, after)
        after = span.last_event_time + _INSTANT
        bars = list(stored_bars(config.symbols, start, after))
        replayed.append(ReplayedSpan(span, len(bars)))
        runs.append(Span(config, bars))
    result = backtest_versions(runs, EXECUTION, component_registry())
    first, until = spans[0].first_event_time, result.end
    live = [
        fill
        for fill in portfolio_fill_list(portfolio_id=portfolio_id)
        if until is not None and first <= fill.time <= until
    ]
    comparison = compare_fills(live, result.trades)
    return Verification(portfolio_id, tuple(replayed), until, comparison)


def portfolio_verify_watch() -> list[Verification]:
    """Verify every portfolio meant to run; raise a ``portfolio.diverged`` notice on a
    first divergence, once per divergence (remembered in Redis, forgotten once equal)."""
    verified = []
    running = models.Portfolio.objects.filter(desired_state=models.DesiredState.RUNNING)
    for portfolio_id in running.values_list("portfolio_id", flat=True):
        try:
            verification = portfolio_verify(portfolio_id=portfolio_id)
        except (CoreError, StoreUnavailable, ObjectDoesNotExist) as exc:
            logger.warning("portfolio %s not verified: %s", portfolio_id, exc)
            continue
        verified.append(verification)
        _notice_once(verification.portfolio_id, verification.comparison.divergence)
    return verified


def _notice_once(portfolio_id: str, divergence: Divergence | None) -> None:
    key = portfolio_diverged_key(portfolio_id)
    try:
        if divergence is None:
            redis_client().delete(key)
            return
        seen = json.dumps(divergence.to_dict(), sort_keys=True)
        if redis_client().set(key, seen, get=True) == seen:
            return
    except redis.RedisError as exc:  # the next run notices it
        logger.warning("portfolio %s: divergence not noticed: %s", portfolio_id, exc)
        return
    publish_notice(
        kind=kinds.PORTFOLIO_DIVERGED,
        message=(
            f"{portfolio_id}: live differs from its replay at fill {divergence.index + 1}: "
            f"live {fill_text(divergence.live)}, replay {fill_text(divergence.replayed)}"
        ),
        source=NOTICE_SOURCE,
        portfolio_id=portfolio_id,
    )
