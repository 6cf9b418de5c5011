"""Upstream: ginkgo_site.devstack.cluster, monitoring.portfolio_page, trading.node.checkpoints, trading.node.handover, trading.node.host, trading.services.hot_positions, trading.services.portfolio_verify, trading.services.twins
Downstream: trading.core.config, trading.core.enums, trading.core.orders.events, trading.core.orders.state, trading.livecore.feedback, trading.models, trading.node.loader, trading.services.orders
Role: what an execution node reads and writes in the database to run a portfolio: a new run epoch, its config, its fills, its working orders and its checkpoints."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F

from trading import models
from trading.core.config import PortfolioConfig
from trading.core.enums import Side
from trading.core.orders.events import Fill
from trading.core.orders.state import TrackedOrder
from trading.livecore.feedback import replay
from trading.node.loader import PortfolioRun
from trading.services import orders as order_services


def portfolio_start_run(*, portfolio_id: str) -> PortfolioRun:
    """Give the portfolio a new run epoch (atomically: two starts never share one) and read
    what it is rebuilt from.

    Fills are read before working orders: a fill recorded in between is then in its order's
    state but not yet in the fills, and reaches the portfolio through the feedback topic
    (applying a fill is idempotent), never the other way round. Raises
    ``Portfolio.DoesNotExist`` for an unknown id and ConfigError for a malformed config.
    """
    with transaction.atomic():
        started = models.Portfolio.objects.filter(pk=portfolio_id).update(
            run_epoch=F("run_epoch") + 1
        )
        if not started:
            raise models.Portfolio.DoesNotExist(f"no portfolio {portfolio_id}")
        row = models.Portfolio.objects.get(pk=portfolio_id)
    return PortfolioRun(
        config=row.to_config(),
        run_epoch=row.run_epoch,
        fills=tuple(portfolio_fill_list(portfolio_id=portfolio_id)),
        working_orders=tuple(_working_orders(portfolio_id)),
    )


def portfolio_config_get(*, portfolio_id: str) -> PortfolioConfig:
    """The portfolio's current config (raises as :func:`portfolio_start_run` does)."""
    return models.Portfolio.objects.get(pk=portfolio_id).to_config()


def portfolio_fill_list(*, portfolio_id: str) -> list[Fill]:
    """Every recorded fill of the portfolio, in execution order."""
    rows = models.Fill.objects.filter(portfolio_id=portfolio_id).order_by("executed_at", "fill_id")
    return [
        Fill(
            fill_id=row.fill_id,
            client_order_id=row.order_id,
            symbol=row.symbol,
            side=Side(row.side),
            quantity=row.quantity,
            price=row.price,
            commission=row.commission,
            time=row.executed_at,
        )
        for row in rows
    ]


def _working_orders(portfolio_id: str) -> list[TrackedOrder]:
    return [
        replay(order)[0] for order in order_services.order_list_working(portfolio_id=portfolio_id)
    ]


# A portfolio keeps its newest few checkpoints; older ones are never read.
CHECKPOINTS_KEPT = 5


def portfolio_checkpoint_save(
    *,
    portfolio_id: str,
    run_epoch: int,
    version: int,
    node_id: str,
    reason: str,
    state: Mapping[str, Any],
    symbol_times: Mapping[str, str],
    processed: int,
    last_event_time: datetime | None,
) -> models.PortfolioCheckpoint:
    """Record a checkpoint of a portfolio and prune all but its newest ``CHECKPOINTS_KEPT``."""
    checkpoint = models.PortfolioCheckpoint.objects.create(
        portfolio_id=portfolio_id,
        run_epoch=run_epoch,
        version=version,
        node_id=node_id,
        reason=reason,
        state=dict(state),
        symbol_times=dict(symbol_times),
        processed=processed,
        last_event_time=last_event_time,
    )
    stale = models.PortfolioCheckpoint.objects.filter(portfolio_id=portfolio_id).values_list(
        "pk", flat=True
    )[CHECKPOINTS_KEPT:]
    models.PortfolioCheckpoint.objects.filter(pk__in=list(stale)).delete()
    return checkpoint


def portfolio_checkpoint_latest(
    *, portfolio_id: str, since: datetime | None = None
) -> models.PortfolioCheckpoint | None:
    """The portfolio's newest checkpoint (saved at or after ``since``, when given)."""
    rows = models.PortfolioCheckpoint.objects.filter(portfolio_id=portfolio_id)
    if since is not None:
        rows = rows.filter(saved_at__gte=since)
    return rows.first()
