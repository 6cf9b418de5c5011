"""Upstream: bench.storage, trading.services.data_health, trading.storage.tasks
Downstream: trading.core.enums, trading.core.ports, trading.models, trading.storage.stores
Role: mirrors fills from the SQL system of record into the ClickHouse trade store, batch by batch past a high-water mark, catching up after outages without duplicates.

Fills are read in (recorded_at, fill_id) order past the mark kept in MirrorProgress; each
batch is inserted, then the mark moves, in one database transaction holding the progress row
(so two mirrors never run at once). A crash between insert and mark re-sends the batch
next time, which the ReplacingMergeTree absorbs. Fills younger than SETTLE are left for the
next run: a fill's recorded_at is taken before its transaction commits, so a slower
transaction could otherwise commit behind the mark.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from trading import models
from trading.core.enums import Side
from trading.core.ports import StoreUnavailable, TradeRecord, TradeStore
from trading.storage.stores import clickhouse_configured, trade_store

logger = logging.getLogger(__name__)

MIRROR = "trades"
BATCH = 5000
SETTLE = timedelta(seconds=2)
_FIELDS = (
    "fill_id",
    "portfolio_id",
    "order_id",
    "symbol",
    "side",
    "quantity",
    "price",
    "commission",
    "executed_at",
    "recorded_at",
)


@dataclass(frozen=True, slots=True)
class MirrorRun:
    """What one run did: fills copied, whether it reached the newest settled fill, and the
    store error that stopped it (empty when none)."""

    copied: int
    caught_up: bool
    error: str = ""


@dataclass(frozen=True, slots=True)
class MirrorLag:
    """How far the mirror is behind: fills not yet copied and the oldest one's age."""

    pending: int
    oldest_pending: datetime | None
    last_run_at: datetime | None
    last_error: str


def trade_mirror_run(
    *,
    batch_size: int = BATCH,
    settle: timedelta = SETTLE,
    store: TradeStore | None = None,
) -> MirrorRun:
    """Copy every settled fill past the high-water mark into the trade store.

    Without ClickHouse there is nothing to do (the fills are the trade history). An
    unavailable store ends the run with the error recorded; the next run resumes at the mark.
    """
    if store is None:
        if not clickhouse_configured():
            return MirrorRun(0, True)
        store = trade_store()
    models.MirrorProgress.objects.get_or_create(name=MIRROR)
    copied = 0
    while True:
        with transaction.atomic():
            progress = (
                models.MirrorProgress.objects.select_for_update(skip_locked=True)
                .filter(pk=MIRROR)
                .first()
            )
            if progress is None:  # another mirror holds the row: let it work
                return MirrorRun(copied, False)
            settled = _unmirrored(progress).filter(recorded_at__lte=timezone.now() - settle)
            fills = list(settled.values_list(*_FIELDS)[:batch_size])
            progress.last_run_at = timezone.now()
            if fills:
                try:
                    store.write_trades([_record(*fill) for fill in fills])
                except StoreUnavailable as exc:
                    logger.warning("trade mirror paused: %s", exc)
                    progress.last_error = str(exc)
                    progress.save(update_fields=["last_run_at", "last_error"])
                    return MirrorRun(copied, False, str(exc))
                progress.fill_id, progress.recorded_at = fills[-1][0], fills[-1][-1]
                progress.mirrored += len(fills)
            progress.last_error = ""
            progress.save()
        copied += len(fills)
        if len(fills) < batch_size:
            return MirrorRun(copied, True)


def trade_mirror_lag() -> MirrorLag:
    """The mirror's backlog (all fills when it never ran)."""
    progress = models.MirrorProgress.objects.filter(pk=MIRROR).first()
    pending = _unmirrored(progress)
    oldest = pending.values_list("recorded_at", flat=True).first()
    return MirrorLag(
        pending=pending.count(),
        oldest_pending=oldest,
        last_run_at=progress.last_run_at if progress else None,
        last_error=progress.last_error if progress else "",
    )


def _unmirrored(progress: models.MirrorProgress | None) -> QuerySet[models.Fill]:
    fills = models.Fill.objects.order_by("recorded_at", "fill_id")
    if progress is None or progress.recorded_at is None:
        return fills
    mark = progress.recorded_at
    # The plain lower bound lets the (recorded_at, fill_id) index narrow the scan.
    return fills.filter(recorded_at__gte=mark).filter(
        Q(recorded_at__gt=mark) | Q(fill_id__gt=progress.fill_id)
    )


def _record(
    fill_id: str,
    portfolio_id: str,
    order_id: str,
    symbol: str,
    side: str,
    quantity: Decimal,
    price: Decimal,
    commission: Decimal,
    executed_at: datetime,
    recorded_at: datetime,
) -> TradeRecord:
    return TradeRecord(
        fill_id,
        portfolio_id,
        order_id,
        symbol,
        Side(side),
        quantity,
        price,
        commission,
        executed_at,
    )
