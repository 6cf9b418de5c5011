"""Upstream: (entry point: pytest)
Downstream: trading.core.accounting.portfolio, trading.core.enums, trading.core.orders.events, trading.core.testing.builders
Role: property tests: the accounting identities hold after any sequence of fills and marks; fills are idempotent."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from trading.core.accounting.portfolio import Portfolio
from trading.core.enums import Side
from trading.core.orders.events import Fill
from trading.core.testing.builders import fill

CAPITAL = Decimal(100_000)
SYMBOLS = st.sampled_from(["AAA", "BBB"])
PRICES = st.decimals(min_value="0.01", max_value="5000", places=2)


@st.composite
def fills(draw: st.DrawFn, fill_id: str) -> Fill:
    return fill(
        draw(st.sampled_from(Side)),
        draw(st.integers(min_value=1, max_value=1_000)),
        draw(PRICES),
        commission=draw(st.decimals(min_value=0, max_value=20, places=2)),
        symbol=draw(SYMBOLS),
        fill_id=fill_id,
    )


@st.composite
def histories(draw: st.DrawFn) -> list[Fill | tuple[str, Decimal]]:
    steps: list[Fill | tuple[str, Decimal]] = []
    for index in range(draw(st.integers(min_value=1, max_value=40))):
        if draw(st.booleans()):
            steps.append(draw(fills(f"F-{index}")))
        else:
            steps.append((draw(SYMBOLS), draw(PRICES)))
    return steps


def _apply(portfolio: Portfolio, step: Fill | tuple[str, Decimal]) -> None:
    if isinstance(step, Fill):
        portfolio.apply_fill(step)
    else:
        portfolio.mark(*step)


@given(histories())
def test_cash_plus_market_value_is_equity_after_every_step(history: list) -> None:
    portfolio = Portfolio(CAPITAL)

    for step in history:
        _apply(portfolio, step)

        marks = portfolio.marks
        market_value = sum(
            (p.quantity * marks[s] for s, p in portfolio.positions.items()), Decimal(0)
        )
        assert portfolio.cash + market_value == portfolio.equity
        assert portfolio.equity == (
            CAPITAL + portfolio.realised_pnl + portfolio.unrealised_pnl - portfolio.commissions
        )


@given(histories(), st.data())
def test_replaying_fills_any_number_of_times_changes_nothing(
    history: list, data: st.DataObject
) -> None:
    once, replayed = Portfolio(CAPITAL), Portfolio(CAPITAL)
    for step in history:
        _apply(once, step)
        for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
            _apply(replayed, step)

    assert replayed.snapshot() == once.snapshot()


@given(histories())
def test_rebuilding_from_the_fills_gives_the_same_positions_and_cash(history: list) -> None:
    live = Portfolio(CAPITAL)
    for step in history:
        _apply(live, step)
    fills_only = [step for step in history if isinstance(step, Fill)]

    rebuilt = Portfolio.rebuild(CAPITAL, fills_only)

    assert rebuilt.cash == live.cash
    assert rebuilt.snapshot()["positions"] == live.snapshot()["positions"]
