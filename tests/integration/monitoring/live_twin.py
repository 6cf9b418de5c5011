"""Upstream: (entry point: pytest, imported by the portfolio page tests)
Downstream: tests.integration.rows, trading.core.backtest.engine, trading.core.backtest.result, trading.core.market, trading.models, trading.redis_store, trading.storage.stores
Role: a portfolio that traded live as its backtest says (or drifted at a chosen fill): its bars in the configured bar store, its fills and orders in PostgreSQL, its live span in Redis."""

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

import redis

from tests.integration.rows import filled_order
from trading.core.backtest.engine import BacktestEngine
from trading.core.backtest.result import BacktestResult
from trading.core.market import Bar
from trading.models import DesiredState, Portfolio
from trading.redis_store import portfolio_status_key
from trading.storage.stores import bar_store

STRATEGY = {"name": "sma_cross", "params": {"period": 10, "size": 20}}
# How far a drifted fill's price is off its backtest's.
DRIFT = Decimal("0.25")


def live_portfolio(
    client: redis.Redis,
    portfolio_id: str,
    bars: Sequence[Bar],
    *,
    drift_at: int | None = None,
    live_until: int | None = None,
) -> tuple[Portfolio, BacktestResult]:
    """A running portfolio (sma_cross on the bars' symbol) whose live fills are its
    backtest's over ``bars``: all of them, or the first ``live_until``; the fill at index
    ``drift_at`` is DRIFT dearer. Its live status on node n1 spans every bar. Returns the
    portfolio and the backtest its live fills came from."""
    bar_store().write_bars(bars)
    portfolio = Portfolio.objects.create(
        portfolio_id=portfolio_id,
        name=f"{portfolio_id} fund",
        symbols=sorted({bar.symbol for bar in bars}),
        initial_capital=Decimal(100_000),
        strategy=STRATEGY,
        desired_state=DesiredState.RUNNING,
    )
    result = BacktestEngine(portfolio.to_config()).run(bars)
    fills = list(result.trades[:live_until])
    if drift_at is not None:
        fills[drift_at] = replace(fills[drift_at], price=fills[drift_at].price + DRIFT)
    for number, fill in enumerate(fills, start=1):
        filled_order(
            portfolio,
            client_order_id=f"{portfolio_id}-1-{number}",
            fill_id=f"{portfolio_id}-F{number}",
            side=fill.side.value,
            quantity=str(fill.quantity),
            price=str(fill.price),
            symbol=fill.symbol,
            at=fill.time,
        )
    status = {
        "status": "running",
        "node": "n1",
        "version": 1,
        "first_event_time": bars[0].time.isoformat(),
        "last_event_time": bars[-1].time.isoformat(),
    }
    client.hset(portfolio_status_key(portfolio_id), mapping=status)
    return portfolio, result
