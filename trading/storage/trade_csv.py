"""Upstream: trading.management.commands.export_trades
Downstream: trading.core.ports
Role: writes trade records as CSV (one header row, exact decimals, ISO 8601 UTC times), reporting progress per batch."""

import csv
from collections.abc import Callable, Iterable
from typing import TextIO

from trading.core.ports import TradeRecord

HEADER = (
    "fill_id",
    "portfolio_id",
    "client_order_id",
    "symbol",
    "side",
    "quantity",
    "price",
    "commission",
    "executed_at",
)
REPORT_EVERY = 5000


def trades_csv_write(
    out: TextIO,
    trades: Iterable[TradeRecord],
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write ``trades`` to ``out``; returns how many rows were written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    written = pending = 0
    for trade in trades:
        writer.writerow(
            (
                trade.fill_id,
                trade.portfolio_id,
                trade.client_order_id,
                trade.symbol,
                trade.side.value,
                trade.quantity,
                trade.price,
                trade.commission,
                trade.executed_at.isoformat(),
            )
        )
        written += 1
        pending += 1
        if pending == REPORT_EVERY and on_progress is not None:
            on_progress(pending)
            pending = 0
    if pending and on_progress is not None:
        on_progress(pending)
    return written
