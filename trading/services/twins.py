"""Upstream: monitoring.portfolio_page
Downstream: trading.core.backtest.compare, trading.core.backtest.result, trading.core.errors, trading.core.ports, trading.selectors.live, trading.services.portfolio_state, trading.services.replays
Role: a portfolio's paper twin for the dashboard: its backtest over the stored bars it saw live, and its live fills compared with the backtest's, behind one function."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ObjectDoesNotExist

from trading.core.backtest.compare import FillComparison, compare_fills
from trading.core.backtest.result import BacktestResult
from trading.core.errors import CoreError
from trading.core.ports import StoreUnavailable
from trading.selectors.live import LiveStateUnavailable, portfolio_status_get
from trading.services.portfolio_state import portfolio_fill_list
from trading.services.replays import portfolio_backtest

# Where the twin's span came from: the node's live status, or every stored bar.
FROM_LIVE_STATUS = "live status"
FROM_STORED_BARS = "stored bars"
_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Twin:
    """What a portfolio's backtest says it should have done over the bars it saw live.

    ``result`` is the backtest (None with a ``problem``: no stored bars, a bar store that
    cannot be read, a configuration the core refuses); ``comparison`` sets the live fills
    of the backtest's time range against the backtest's, naming the first divergence.
    """

    portfolio_id: str
    start: datetime | None
    end: datetime | None
    span_from: str
    result: BacktestResult | None
    comparison: FillComparison | None
    problem: str = ""


def portfolio_twin(*, portfolio_id: str) -> Twin:
    """The portfolio's paper twin: the one place the dashboard asks for it.

    For now: the current configuration over the stored bars from the first to the last
    update the portfolio handled live under it (the node's live status), or over every
    stored bar while no node reports that span. Once ``portfolio_verify`` (issue 20) hands
    over its replay (each configuration version over its own live span), this function
    returns that instead and nothing that calls it changes.
    """
    start, end, span_from = _live_span(portfolio_id)
    try:
        result = portfolio_backtest(
            portfolio_id=portfolio_id, start=start, end=end + _INSTANT if end else None
        )
    except (CoreError, StoreUnavailable, ObjectDoesNotExist) as exc:
        return Twin(portfolio_id, start, end, span_from, None, None, str(exc))
    if result.start is None or result.end is None:
        problem = "no stored bars of its symbols" + (
            f" from {start:%Y-%m-%d %H:%M}" if start else ""
        )
        return Twin(portfolio_id, start, end, span_from, None, None, problem)
    first, last = result.start, result.end
    live = [
        fill
        for fill in portfolio_fill_list(portfolio_id=portfolio_id)
        if first <= fill.time <= last
    ]
    return Twin(portfolio_id, start, end, span_from, result, compare_fills(live, result.trades))


def _live_span(portfolio_id: str) -> tuple[datetime | None, datetime | None, str]:
    try:
        status = portfolio_status_get(portfolio_id=portfolio_id) or {}
    except LiveStateUnavailable:
        status = {}
    first, last = status.get("first_event_time"), status.get("last_event_time")
    if not first or not last:
        return None, None, FROM_STORED_BARS
    return datetime.fromisoformat(first), datetime.fromisoformat(last), FROM_LIVE_STATUS
