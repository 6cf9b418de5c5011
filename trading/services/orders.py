"""Upstream: trading.livecore.engine, trading.livecore.feedback, trading.livecore.runtime, trading.services.portfolio_state
Downstream: trading.core.enums, trading.core.orders.events, trading.core.orders.order, trading.core.orders.state, trading.models
Role: orders and fills in the system of record: insert-or-ignore intake, state changes, fills, and the reads a gateway restarts from."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Max, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from trading import models
from trading.core.enums import OrderStatus, OrderType, Side, TimeInForce
from trading.core.orders.events import (
    Fill,
    OrderAccepted,
    OrderCancelled,
    OrderExpired,
    OrderRejected,
    OrderStatusReport,
)
from trading.core.orders.order import Order
from trading.core.orders.state import ORDER_STATE_TABLE

WORKING = (OrderStatus.SUBMITTED, OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED)
_TARGET = {
    OrderAccepted: OrderStatus.ACCEPTED,
    OrderRejected: OrderStatus.REJECTED,
    OrderCancelled: OrderStatus.CANCELLED,
    OrderExpired: OrderStatus.EXPIRED,
}
# The statuses each report may move an order from (ORDER_STATE_TABLE read backwards).
_SOURCES = {
    target: [source.value for source, nexts in ORDER_STATE_TABLE.items() if target in nexts]
    for target in _TARGET.values()
}
_REASON_LENGTH = models.Order._meta.get_field("reason").max_length or 300


@dataclass(frozen=True, slots=True)
class StoredOrder:
    """An order as the database has it: the order itself, its status and its fills."""

    order: Order
    status: OrderStatus
    reason: str
    fills: tuple[Fill, ...]
    updated_at: datetime


def portfolio_exists(*, portfolio_id: str) -> bool:
    """True when a portfolio with this id is configured."""
    return models.Portfolio.objects.filter(pk=portfolio_id).exists()


def portfolio_cash(*, portfolio_id: str) -> Decimal:
    """The portfolio's cash as its recorded fills leave it: its capital, less what its buys
    cost, plus what its sells brought, less every commission (0 for an unknown portfolio);
    what the paper venue checks buying power against."""
    capital = (
        models.Portfolio.objects.filter(pk=portfolio_id)
        .values_list("initial_capital", flat=True)
        .first()
    )
    if capital is None:
        return Decimal(0)
    value = F("quantity") * F("price")
    flows = models.Fill.objects.filter(portfolio_id=portfolio_id).aggregate(
        bought=Sum(value, filter=Q(side=Side.BUY.value)),
        sold=Sum(value, filter=Q(side=Side.SELL.value)),
        commissions=Sum("commission"),
    )
    spent = (flows["bought"] or 0) + (flows["commissions"] or 0)
    return capital - spent + (flows["sold"] or 0)


def order_record_submitted(*, order: Order) -> bool:
    """Insert ``order`` as SUBMITTED unless its client order id is known; True if inserted.

    The client order id is the primary key, so this is the durable de-duplication: a resent
    or replayed order is never recorded (nor executed) twice.
    """
    try:
        with transaction.atomic():
            models.Order.objects.create(
                client_order_id=order.client_order_id,
                portfolio_id=order.portfolio_id,
                symbol=order.symbol,
                side=order.side.value,
                order_type=order.order_type.value,
                quantity=order.quantity,
                limit_price=order.limit_price,
                stop_price=order.stop_price,
                time_in_force=order.time_in_force.value,
                expire_at=order.expire_at,
                status=OrderStatus.SUBMITTED.value,
                tag=order.tag[:200],
                created_at=order.created_at,
            )
    except IntegrityError:
        if models.Order.objects.filter(pk=order.client_order_id).exists():
            return False
        raise
    return True


def order_apply_report(*, report: OrderStatusReport) -> bool:
    """Move the order to the report's status if the state table allows it; True if it moved.

    A repeated or late report (an acknowledgement of a cancelled order ...) changes nothing.
    One conditional UPDATE: the state table is checked by the database, atomically.
    """
    target = _TARGET[type(report)]
    changes: dict[str, object] = {"status": target.value, "updated_at": timezone.now()}
    if isinstance(report, OrderRejected | OrderCancelled):
        changes["reason"] = report.reason[:_REASON_LENGTH]
    moved = models.Order.objects.filter(
        pk=report.client_order_id, status__in=_SOURCES[target]
    ).update(**changes)
    return moved == 1


def fill_record(*, fill: Fill) -> bool:
    """Record a fill and roll it into its order's totals; False if the fill id is known.

    A fill is a fact even when it arrives after the order was closed: it is recorded and
    counted, and only a working order changes status.
    """
    try:
        with transaction.atomic():
            models.Fill.objects.create(
                fill_id=fill.fill_id,
                order_id=fill.client_order_id,
                portfolio_id=models.Order.objects.filter(pk=fill.client_order_id).values(
                    "portfolio_id"
                ),
                symbol=fill.symbol,
                side=fill.side.value,
                quantity=fill.quantity,
                price=fill.price,
                commission=fill.commission,
                executed_at=fill.time,
            )
            _roll_into_order(fill)
    except IntegrityError:
        if models.Fill.objects.filter(pk=fill.fill_id).exists():
            return False
        raise
    return True


def _roll_into_order(fill: Fill) -> None:
    # Computed by the database from the row as it is (no read-modify-write race).
    filled = F("filled_quantity") + fill.quantity
    notional = Coalesce(F("average_price"), Value(Decimal(0))) * F("filled_quantity")
    working = [status.value for status in WORKING]
    models.Order.objects.filter(pk=fill.client_order_id).update(
        filled_quantity=filled,
        average_price=(notional + fill.quantity * fill.price) / filled,
        status=Case(
            When(
                Q(status__in=working) & Q(quantity__lte=filled),
                then=Value(OrderStatus.FILLED.value),
            ),
            When(status__in=working, then=Value(OrderStatus.PARTIALLY_FILLED.value)),
            default=F("status"),
        ),
        updated_at=timezone.now(),
    )


def order_get(*, client_order_id: str) -> StoredOrder | None:
    """One order with its fills, or None."""
    rows = _with_fills(models.Order.objects.filter(pk=client_order_id))
    return next(iter(_stored(rows)), None)


def order_list_working(*, portfolio_id: str | None = None) -> list[StoredOrder]:
    """Orders still working at the venue (submitted, accepted, partially filled), oldest
    first; of one portfolio, or of all."""
    rows = models.Order.objects.filter(status__in=[status.value for status in WORKING])
    if portfolio_id is not None:
        rows = rows.filter(portfolio_id=portfolio_id)
    return _stored(_with_fills(rows.order_by("created_at", "client_order_id")))


def order_list_recent(*, window: timedelta) -> list[StoredOrder]:
    """Orders changed within ``window`` before the most recent change, oldest change first."""
    latest = models.Order.objects.aggregate(latest=Max("updated_at"))["latest"]
    if latest is None:
        return []
    rows = models.Order.objects.filter(updated_at__gte=latest - window)
    return _stored(_with_fills(rows.order_by("updated_at", "client_order_id")))


def _with_fills(rows: QuerySet[models.Order]) -> QuerySet[models.Order]:
    return rows.prefetch_related("fills")


def _stored(rows: Iterable[models.Order]) -> list[StoredOrder]:
    return [
        StoredOrder(
            order=_order(row),
            status=OrderStatus(row.status),
            reason=row.reason,
            fills=tuple(_fill(fill, row.pk) for fill in row.fills.all()),
            updated_at=row.updated_at,
        )
        for row in rows
    ]


def _order(row: models.Order) -> Order:
    return Order(
        client_order_id=row.client_order_id,
        portfolio_id=row.portfolio_id,
        symbol=row.symbol,
        side=Side(row.side),
        quantity=_plain(row.quantity),
        created_at=row.created_at,
        order_type=OrderType(row.order_type),
        limit_price=_plain_or_none(row.limit_price),
        stop_price=_plain_or_none(row.stop_price),
        time_in_force=TimeInForce(row.time_in_force),
        expire_at=row.expire_at,
        tag=row.tag,
    )


def _fill(row: models.Fill, client_order_id: str) -> Fill:
    return Fill(
        fill_id=row.fill_id,
        client_order_id=client_order_id,
        symbol=row.symbol,
        side=Side(row.side),
        quantity=_plain(row.quantity),
        price=_plain(row.price),
        commission=_plain(row.commission),
        time=row.executed_at,
    )


def _plain(value: Decimal) -> Decimal:
    """Drop the zeros the column's fixed scale pads with: 10.00000000 -> 10, 1.50000000 -> 1.5."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal.as_tuple().exponent > 0 else normal


def _plain_or_none(value: Decimal | None) -> Decimal | None:
    return None if value is None else _plain(value)
