"""Upstream: bench.storage, trading.storage.stores
Downstream: trading.core.enums, trading.core.ports, trading.storage.clickhouse, trading.storage.schema, trading.storage.timestamps
Role: TradeStore on ClickHouse: the trade history the mirror copies fills into, read exactly before merges (LIMIT 1 BY, FINAL), summed per portfolio and symbol."""

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from trading.core.enums import Side
from trading.core.ports import StoreCounts, SymbolTotals, TradeRecord, TradeStore
from trading.storage.clickhouse import STORE, ClickHouse
from trading.storage.schema import TRADES
from trading.storage.timestamps import epoch_seconds, from_epoch, time_range

_COLUMNS = (
    "portfolio_id, executed_at, executed_us, fill_id, client_order_id, symbol, side,"
    " quantity, price, commission"
)
# Price x quantity is widened to Decimal128 first: Decimal64 products overflow past 922.
_NOTIONAL = "toDecimal128(price, 8) * quantity"


class ClickHouseTradeStore(TradeStore):
    """Trades in ClickHouse's ``trades`` table (see trading.storage.schema)."""

    name = STORE

    def __init__(self, clickhouse: ClickHouse) -> None:
        self._clickhouse = clickhouse

    def write_trades(self, trades: Sequence[TradeRecord]) -> int:
        columns: list[list[Any]] = [[] for _ in range(10)]
        portfolio, seconds, micros, fill, order, symbol, side, quantity, price, commission = columns
        for trade in trades:
            portfolio.append(trade.portfolio_id)
            seconds.append(epoch_seconds(trade.executed_at))
            micros.append(trade.executed_at.microsecond)
            fill.append(trade.fill_id)
            order.append(trade.client_order_id)
            symbol.append(trade.symbol)
            side.append(trade.side.value)
            quantity.append(trade.quantity)
            price.append(trade.price)
            commission.append(trade.commission)
        if fill:
            self._clickhouse.execute(f"INSERT INTO {TRADES} ({_COLUMNS}) VALUES", columns)
        return len(fill)

    def trades(
        self,
        portfolio_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Iterator[TradeRecord]:
        where, params = _filters(portfolio_id, start, end)
        # LIMIT 1 BY keeps one copy of a fill sent twice (copies are identical): exact before
        # merges like FINAL, and measured faster than it on 18.16.
        query = (
            f"SELECT portfolio_id, toUInt32(executed_at), executed_us, fill_id, client_order_id,"
            f" symbol, side, quantity, price, commission FROM {TRADES}{where}"
            " ORDER BY executed_at, executed_us, fill_id LIMIT 1 BY fill_id"
        )
        for row in self._clickhouse.stream(query, params):
            portfolio, seconds, micros, fill, order, symbol, side, quantity, price, commission = row
            yield TradeRecord(
                fill_id=fill,
                portfolio_id=portfolio,
                client_order_id=order,
                symbol=symbol,
                side=Side(side),
                quantity=quantity,
                price=price,
                commission=commission,
                executed_at=from_epoch(seconds, micros),
            )

    def count_trades(
        self,
        portfolio_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        where, params = _filters(portfolio_id, start, end)
        query = f"SELECT uniqExact(fill_id) FROM {TRADES}{where}"
        ((count,),) = self._clickhouse.execute(query, params)
        return count

    def totals(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> list[SymbolTotals]:
        where, params = _filters(None, start, end)
        rows = self._clickhouse.execute(
            f"SELECT portfolio_id, symbol, count(),"
            f" sumIf(quantity, side = 'buy'), sumIf(quantity, side = 'sell'),"
            f" sumIf({_NOTIONAL}, side = 'buy'), sumIf({_NOTIONAL}, side = 'sell'),"
            f" sum(commission)"
            f" FROM {TRADES} FINAL{where} GROUP BY portfolio_id, symbol"
            " ORDER BY portfolio_id, symbol",
            params,
        )
        return [SymbolTotals(*row) for row in rows]

    def counts(self) -> StoreCounts:
        ((rows, latest),) = self._clickhouse.execute(
            f"SELECT uniqExact(fill_id), max(toUInt32(executed_at)) FROM {TRADES}"
        )
        return StoreCounts(rows, from_epoch(latest) if rows else None)


def _filters(
    portfolio_id: str | None, start: datetime | None, end: datetime | None
) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {}
    conditions = time_range("executed_at", start, end, params, micros_column="executed_us")
    if portfolio_id is not None:
        params["portfolio_id"] = portfolio_id
        conditions.insert(0, "portfolio_id = %(portfolio_id)s")
    return (f" WHERE {' AND '.join(conditions)}" if conditions else ""), params
