"""Upstream: monitoring.apis
Downstream: trading.core.backtest.compare, trading.models, trading.selectors.live, trading.selectors.trades, trading.services.portfolio_state, trading.services.twins
Role: what the dashboard's portfolio page shows: its live equity (one selector, to become the marked curve), its paper twin's equity over the same bars with the first divergence, positions, orders and fills."""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from trading.core.backtest.compare import fill_row
from trading.models import Portfolio
from trading.selectors.live import LiveStateUnavailable, portfolio_status_get
from trading.selectors.trades import order_list, portfolio_equity, portfolio_positions
from trading.services.portfolio_state import portfolio_fill_list
from trading.services.twins import Twin, portfolio_twin

RECENT_ROWS = 50


@dataclass(frozen=True, slots=True)
class LiveEquity:
    """The live equity curve the page draws, and what it is made of."""

    source: str
    note: str
    times: list[datetime]
    equity: list[float]


def live_equity(*, portfolio: Portfolio) -> LiveEquity:
    """The portfolio's live equity curve, the one place the page gets it from.

    Today the equity after each fill, rebuilt from the stored fills (flat between fills:
    positions are revalued only when the portfolio trades). When nodes store the marked
    curve (an equity point per bar, issue 15 part 2), this returns that instead.
    """
    points = portfolio_equity(portfolio=portfolio)
    return LiveEquity(
        source="fills",
        note="after each fill, flat in between: marked equity is not stored yet",
        times=[point.time for point in points],
        equity=[float(point.equity) for point in points],
    )


def portfolio_page_data(*, portfolio: Portfolio) -> dict[str, Any]:
    """Everything the portfolio page shows, in one read: the portfolio and its live status,
    its live equity and fills, its twin (equity, fills, statistics, the first divergence),
    positions, and its latest orders."""
    curve = live_equity(portfolio=portfolio)
    fills = portfolio_fill_list(portfolio_id=portfolio.portfolio_id)
    orders = order_list(portfolio_id=portfolio.portfolio_id)[:RECENT_ROWS]
    return {
        "portfolio": {
            "portfolio_id": portfolio.portfolio_id,
            "name": portfolio.name,
            "version": portfolio.version,
            "symbols": portfolio.symbols,
            "initial_capital": float(portfolio.initial_capital),
            "desired_state": portfolio.desired_state,
            **_live_status(portfolio.portfolio_id),
        },
        "live": {
            "source": curve.source,
            "note": curve.note,
            "t": [_ms(when) for when in curve.times],
            "v": curve.equity,
        },
        "fills": [{**fill_row(fill), "t": _ms(fill.time)} for fill in fills],
        "twin": _twin(portfolio_twin(portfolio_id=portfolio.portfolio_id)),
        "positions": asdict(portfolio_positions(portfolio=portfolio)),
        "orders": list(
            orders.values(
                "client_order_id", "created_at", "symbol", "side", "order_type", "quantity",
                "filled_quantity", "average_price", "status", "reason",
            )
        ),
    }  # fmt: skip


def _twin(twin: Twin) -> dict[str, Any]:
    body: dict[str, Any] = {
        "span_from": twin.span_from,
        "start": twin.start,
        "end": twin.end,
        "problem": twin.problem,
    }
    result, comparison = twin.result, twin.comparison
    if result is None or comparison is None:
        return body
    divergence = comparison.divergence
    if divergence is not None:
        sides = [fill for fill in (divergence.live, divergence.replayed) if fill is not None]
        divergence_body: dict[str, Any] | None = {
            **divergence.to_dict(),
            "t": _ms(min(fill.time for fill in sides)),
        }
    else:
        divergence_body = None
    equity = result.equity
    return {
        **body,
        "bars": result.bars,
        "first_bar": result.start,
        "last_bar": result.end,
        "t": [_ms(when) for when in equity.times],
        "v": [float(value) for value in equity.equity],
        "fills": [{**fill_row(fill), "t": _ms(fill.time)} for fill in result.trades],
        "statistics": result.statistics.to_dict(),
        "comparison": {
            "equal": comparison.equal,
            "live": comparison.live,
            "twin": comparison.replayed,
            "matched": comparison.matched,
            "divergence": divergence_body,
        },
    }


def _live_status(portfolio_id: str) -> dict[str, Any]:
    """``live``: the status hash a node reports (empty when none does); ``live_error``: why
    Redis could not be read."""
    try:
        return {"live": portfolio_status_get(portfolio_id=portfolio_id) or {}, "live_error": None}
    except LiveStateUnavailable as exc:
        return {"live": {}, "live_error": str(exc)}


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)
