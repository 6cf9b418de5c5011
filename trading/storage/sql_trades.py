"""Upstream: bench.storage, trading.storage.stores
Downstream: trading.core.enums, trading.core.ports, trading.models
Role: TradeStore on the SQL database: the system of record's own fills, read and summed per portfolio and symbol."""

from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from trading import models
from trading.core.enums import Side
from trading.core.ports import StoreCounts, SymbolTotals, TradeRecord, TradeStore

STORE = "sql"
_READ_CHUNK = 2000
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
)
_BUY = Q(side=Side.BUY.value)
_SELL = Q(side=Side.SELL.value)
_DECIMAL = DecimalField(max_digits=48, decimal_places=16)


def _sum(expression: str | F, condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum(expression, filter=condition, output_field=_DECIMAL), Value(Decimal(0)))


class SqlTradeStore(TradeStore):
    """The fills table read as trade history.

    The SQL database is the system of record: its fills *are* the trades, so there is
    nothing to mirror and :meth:`write_trades` stores nothing (it returns 0).
    """

    name = STORE

    def write_trades(self, trades: Sequence[TradeRecord]) -> int:
        return 0

    def trades(
        self,
        portfolio_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Iterator[TradeRecord]:
        rows = _fills(portfolio_id, start, end).order_by("executed_at", "fill_id")
        for (
            fill,
            portfolio,
            order,
            symbol,
            side,
            quantity,
            price,
            commission,
            executed_at,
        ) in rows.values_list(*_FIELDS).iterator(chunk_size=_READ_CHUNK):
            yield TradeRecord(
                fill_id=fill,
                portfolio_id=portfolio,
                client_order_id=order,
                symbol=symbol,
                side=Side(side),
                quantity=quantity,
                price=price,
                commission=commission,
                executed_at=executed_at,
            )

    def count_trades(
        self,
        portfolio_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        return _fills(portfolio_id, start, end).count()

    def totals(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> list[SymbolTotals]:
        notional = F("quantity") * F("price")
        rows = (
            _fills(None, start, end)
            .values("portfolio_id", "symbol")
            .annotate(
                trades=Count("fill_id"),
                bought=_sum("quantity", _BUY),
                sold=_sum("quantity", _SELL),
                bought_value=_sum(notional, _BUY),
                sold_value=_sum(notional, _SELL),
                commission_total=_sum("commission"),
            )
            .order_by("portfolio_id", "symbol")
        )
        return [
            SymbolTotals(
                portfolio_id=row["portfolio_id"],
                symbol=row["symbol"],
                trades=row["trades"],
                bought=Decimal(row["bought"]),
                sold=Decimal(row["sold"]),
                bought_value=Decimal(row["bought_value"]),
                sold_value=Decimal(row["sold_value"]),
                commission=Decimal(row["commission_total"]),
            )
            for row in rows
        ]

    def counts(self) -> StoreCounts:
        latest = models.Fill.objects.aggregate(latest=Max("executed_at"))["latest"]
        return StoreCounts(models.Fill.objects.count(), latest)


def _fills(
    portfolio_id: str | None, start: datetime | None, end: datetime | None
) -> QuerySet[models.Fill]:
    rows = models.Fill.objects.all()
    if portfolio_id is not None:
        rows = rows.filter(portfolio_id=portfolio_id)
    if start is not None:
        rows = rows.filter(executed_at__gte=start)
    if end is not None:
        rows = rows.filter(executed_at__lt=end)
    return rows
