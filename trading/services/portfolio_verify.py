"""Upstream: trading.apis.portfolio_verify, trading.management.commands.portfolio_verify, trading.tasks
Downstream: monitoring.notifications.kinds, monitoring.notifications.publish, trading.core.backtest.compare, trading.core.backtest.engine, trading.core.errors, trading.core.ports, trading.models, trading.redis_store, trading.selectors.components, trading.services.portfolio_state, trading.services.replays
Role: the paper twin: replays a portfolio's live history over the stored bars, span by span (one per configuration version), compares its fills with the recorded ones, and notices a divergence once.

Where live began and ended under each version comes from :func:`live_spans`, the one place
that knows: the spans the node records in its checkpoints when they hold them, else spans
derived from the checkpoints themselves (see :func:`_derived_spans`).
"""

import json
import logging
from collections import deque
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
from trading.redis_store import portfolio_diverged_key, redis_client
from trading.selectors.components import component_registry
from trading.services.portfolio_state import portfolio_checkpoint_latest, portfolio_fill_list
from trading.services.replays import portfolio_version_config, stored_bars

logger = logging.getLogger(__name__)

# Where a stored checkpoint keeps the node's live spans (trading.node.checkpoints).
SPANS_KEY = "live_spans"
# Where the spans came from: the node's record, or derived from the checkpoints.
FROM_NODE = "node"
FROM_CHECKPOINTS = "checkpoints"
# The venue the replay trades on: the paper gateway's, as LiveCore runs it by default.
EXECUTION = ExecutionSettings()
NOTICE_SOURCE = "verify"

_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class LiveSpan:
    """The price updates a portfolio handled live under one configuration version: the
    event times of the first and the last."""

    version: int
    first_event_time: datetime
    last_event_time: datetime


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
    spans_from: str
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
            "spans_from": self.spans_from,
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


def live_spans(*, portfolio_id: str) -> tuple[tuple[LiveSpan, ...], str]:
    """The portfolio's live spans, oldest first, and where they came from.

    The node records them in every checkpoint (``state["live_spans"]``: version, first and
    last event time of each); checkpoints written before it did are read by
    :func:`_derived_spans` instead. Once every checkpoint holds them, the derivation goes.
    """
    newest = portfolio_checkpoint_latest(portfolio_id=portfolio_id)
    if newest is None:
        return (), FROM_NODE
    recorded = newest.state.get(SPANS_KEY)
    if recorded is None:
        return _derived_spans(portfolio_id), FROM_CHECKPOINTS
    spans = tuple(
        LiveSpan(
            int(span["version"]),
            datetime.fromisoformat(span["first_event_time"]),
            datetime.fromisoformat(span["last_event_time"]),
        )
        for span in recorded
    )
    return spans, FROM_NODE


def _derived_spans(portfolio_id: str) -> tuple[LiveSpan, ...]:
    """Spans from the checkpoints still stored (a portfolio keeps its newest few): per
    version, its newest checkpoint gives the last update it handled and how many it handled
    in all (``processed`` carries on across versions); the first span begins that many
    stored bars back, each later one at the first stored bar after the one before. A
    version whose checkpoints are gone is missing, and the first span's start is only as
    right as the count (bars it did not get live make it start later)."""
    rows = models.PortfolioCheckpoint.objects.filter(
        portfolio_id=portfolio_id, last_event_time__isnull=False
    ).order_by("saved_at")
    # Per version, its newest checkpoint: how many updates were handled by then, the last one.
    newest = {row.version: (row.processed, row.last_event_time) for row in rows}
    spans: list[LiveSpan] = []
    for version, (processed, last) in sorted(newest.items()):
        config = portfolio_version_config(portfolio_id=portfolio_id, version=version)
        if spans:
            after = spans[-1].last_event_time + _INSTANT
            first = next((bar.time for bar in stored_bars(config.symbols, after)), None)
        else:
            handled = deque(stored_bars(config.symbols, None, last + _INSTANT), processed)
            first = handled[0].time if handled else None
        if first is not None and first <= last:
            spans.append(LiveSpan(version, first, last))
    return tuple(spans)


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
    spans, spans_from = live_spans(portfolio_id=portfolio_id)
    if not spans:
        return Verification(portfolio_id, (), spans_from, None, compare_fills([], []))
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
    return Verification(portfolio_id, tuple(replayed), spans_from, until, comparison)


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
