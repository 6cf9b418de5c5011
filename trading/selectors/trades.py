"""Upstream: monitoring.portfolio_page, monitoring.selectors, trading.apis.trades
Downstream: trading.core.accounting.portfolio, trading.core.enums, trading.core.orders.events, trading.models, trading.services.hot_positions
Role: a portfolio's orders and fills, and its positions and equity curve rebuilt from the stored fills by the core's ledger."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet

from trading import models
from trading.core.accounting.portfolio import Portfolio as Ledger
from trading.core.enums import Side
from trading.core.orders.events import Fill
from trading.services.hot_positions import hot_positions_read


@dataclass(frozen=True, slots=True)
class PositionRow:
    """One symbol's position; ``mark`` is the price of its latest fill."""

    symbol: str
    quantity: Decimal
    avg_price: Decimal | None
    mark: Decimal
    market_value: Decimal
    unrealised_pnl: Decimal
    realised_pnl: Decimal
    commission: Decimal


@dataclass(frozen=True, slots=True)
class PositionsReport:
    """Cash, equity and positions after every fill (``as_of``: the latest), and whether they
    came from Redis or the database."""

    source: str
    as_of: datetime | None
    initial_capital: Decimal
    cash: Decimal
    market_value: Decimal
    equity: Decimal
    realised_pnl: Decimal
    unrealised_pnl: Decimal
    commissions: Decimal
    positions: list[PositionRow]


@dataclass(frozen=True, slots=True)
class EquityPoint:
    """The portfolio's value right after the fills at ``time``."""

    time: datetime
    cash: Decimal
    market_value: Decimal
    equity: Decimal


def order_list(
    *,
    portfolio_id: str,
    symbol: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[models.Order]:
    """A portfolio's orders, newest first; times filter ``created_at`` (until exclusive)."""
    rows = models.Order.objects.filter(portfolio_id=portfolio_id).order_by("-created_at")
    if symbol:
        rows = rows.filter(symbol=symbol)
    if status:
        rows = rows.filter(status=status)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    if until is not None:
        rows = rows.filter(created_at__lt=until)
    return rows


def fill_list(
    *,
    portfolio_id: str,
    symbol: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[models.Fill]:
    """A portfolio's fills in execution order; times filter ``executed_at`` (until exclusive)."""
    rows = models.Fill.objects.filter(portfolio_id=portfolio_id).order_by("executed_at", "fill_id")
    if symbol:
        rows = rows.filter(symbol=symbol)
    if since is not None:
        rows = rows.filter(executed_at__gte=since)
    if until is not None:
        rows = rows.filter(executed_at__lt=until)
    return rows


def portfolio_positions(*, portfolio: models.Portfolio) -> PositionsReport:
    """Cash and positions from the hot tier (Redis, kept by the node as fills arrive), else
    rebuilt from the stored fills by the core's ledger; each symbol marked at its latest fill.

    Marks are not stored yet, so values move only when the portfolio trades.
    """
    hot = hot_positions_read(portfolio_id=portfolio.portfolio_id)
    held = hot.snapshot
    marks = _latest_prices(portfolio.portfolio_id, [p.symbol for p in held.positions])
    positions = [
        PositionRow(
            symbol=p.symbol,
            quantity=p.quantity,
            avg_price=p.avg_price,
            mark=marks[p.symbol],
            market_value=p.quantity * marks[p.symbol],
            unrealised_pnl=p.quantity * marks[p.symbol] - p.cost,
            realised_pnl=p.realised_pnl,
            commission=p.commission,
        )
        for p in held.positions
    ]
    market_value = sum((p.market_value for p in positions), Decimal(0))
    return PositionsReport(
        source=hot.source,
        as_of=held.as_of,
        initial_capital=held.initial_capital,
        cash=held.cash,
        market_value=market_value,
        equity=held.cash + market_value,
        realised_pnl=sum((p.realised_pnl for p in positions), Decimal(0)),
        unrealised_pnl=sum((p.unrealised_pnl for p in positions), Decimal(0)),
        commissions=held.commissions,
        positions=positions,
    )


def portfolio_equity(*, portfolio: models.Portfolio) -> list[EquityPoint]:
    """The equity curve at each fill time, every symbol marked at its latest fill price.

    An approximation until marks are stored: between fills the curve is flat, and market
    moves of an open position show only when the portfolio trades again.
    """
    ledger = Ledger(portfolio.initial_capital)
    return [
        EquityPoint(time, ledger.cash, ledger.market_value, ledger.equity)
        for time in _replay(portfolio, ledger)
    ]


def _replay(portfolio: models.Portfolio, ledger: Ledger) -> Iterator[datetime]:
    """Apply the stored fills to ``ledger`` in order, pausing after each distinct fill time."""
    pending: datetime | None = None
    for row in fill_list(portfolio_id=portfolio.portfolio_id).iterator():
        if pending is not None and row.executed_at != pending:
            yield pending
        ledger.apply_fill(_fill(row))
        ledger.mark(row.symbol, row.price)
        pending = row.executed_at
    if pending is not None:
        yield pending


def _latest_prices(portfolio_id: str, symbols: list[str]) -> dict[str, Decimal]:
    fills = models.Fill.objects.filter(portfolio_id=portfolio_id).order_by(
        "-executed_at", "-fill_id"
    )
    return {
        symbol: fills.filter(symbol=symbol).values_list("price", flat=True)[0] for symbol in symbols
    }


def _fill(row: models.Fill) -> Fill:
    return Fill(
        fill_id=row.fill_id,
        client_order_id=row.order_id,
        symbol=row.symbol,
        side=Side(row.side),
        quantity=row.quantity,
        price=row.price,
        commission=row.commission,
        time=row.executed_at,
    )
