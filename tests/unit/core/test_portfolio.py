"""Upstream: (entry point: pytest)
Downstream: trading.core.accounting.portfolio, trading.core.accounting.view, trading.core.enums, trading.core.testing.builders
Role: portfolio accounting: cash, long and short positions, realised P&L on reductions and flips, rebuilds, the view."""

import json
from decimal import Decimal

from trading.core.accounting.portfolio import Portfolio
from trading.core.accounting.view import PortfolioView
from trading.core.enums import Side
from trading.core.testing.builders import fill

BUY, SELL = Side.BUY, Side.SELL


def _portfolio(*fills_: object) -> Portfolio:
    portfolio = Portfolio(Decimal(10_000))
    for item in fills_:
        portfolio.apply_fill(item)  # type: ignore[arg-type]
    return portfolio


def test_a_buy_spends_cash_and_commission_and_opens_a_long_position() -> None:
    portfolio = _portfolio(fill(BUY, 10, 100, commission=1))

    position = portfolio.position("AAA")
    assert position is not None
    assert portfolio.cash == Decimal(8_999)
    assert (position.quantity, position.avg_price) == (10, 100)
    assert portfolio.commissions == 1
    assert portfolio.equity == Decimal(9_999)


def test_marks_move_equity_and_unrealised_pnl() -> None:
    portfolio = _portfolio(fill(BUY, 10, 100))

    portfolio.mark("AAA", Decimal(110))

    assert portfolio.unrealised_pnl == 100
    assert portfolio.equity == Decimal(10_100)
    assert PortfolioView(portfolio).exposure("AAA") == 1_100


def test_adding_to_a_position_averages_the_entry_price() -> None:
    portfolio = _portfolio(fill(BUY, 10, 100, fill_id="a"), fill(BUY, 30, 120, fill_id="b"))

    assert portfolio.position("AAA").avg_price == 115  # type: ignore[union-attr]


def test_a_partial_sell_realises_pnl_against_the_average_price() -> None:
    portfolio = _portfolio(
        fill(BUY, 10, 100, fill_id="a"),
        fill(BUY, 10, 110, fill_id="b"),
        fill(SELL, 5, 120, fill_id="c"),
    )

    position = portfolio.position("AAA")
    assert position is not None
    assert position.realised_pnl == 75  # 5 * (120 - 105)
    assert (position.quantity, position.avg_price) == (15, 105)


def test_closing_a_long_reports_the_round_trip_net_of_commissions() -> None:
    portfolio = Portfolio(Decimal(10_000))
    portfolio.apply_fill(fill(BUY, 10, 100, commission=2, fill_id="a"))

    change = portfolio.apply_fill(fill(SELL, 10, 103, commission=2, fill_id="b"))

    assert change is not None
    assert change.realised_pnl == 30
    assert change.closed_trip_pnl == 26
    assert portfolio.cash == Decimal(10_026)
    assert portfolio.position("AAA").quantity == 0  # type: ignore[union-attr]


def test_a_short_sale_adds_cash_and_profits_when_bought_back_lower() -> None:
    portfolio = _portfolio(fill(SELL, 10, 100, fill_id="a"))
    assert portfolio.cash == Decimal(11_000)
    assert portfolio.position("AAA").quantity == -10  # type: ignore[union-attr]
    portfolio.mark("AAA", Decimal(90))
    assert portfolio.unrealised_pnl == 100

    change = portfolio.apply_fill(fill(BUY, 10, 90, fill_id="b"))

    assert change is not None
    assert change.realised_pnl == 100
    assert portfolio.equity == Decimal(10_100)


def test_a_flip_realises_the_closed_part_and_opens_the_rest_at_the_fill_price() -> None:
    portfolio = _portfolio(fill(BUY, 10, 100, fill_id="a"))

    change = portfolio.apply_fill(fill(SELL, 15, 110, commission=3, fill_id="b"))

    position = portfolio.position("AAA")
    assert position is not None
    assert change is not None
    assert change.realised_pnl == 100
    # The closing 10 of 15 carry 2 of the 3 commission into the finished trip.
    assert change.closed_trip_pnl == 98
    assert (position.quantity, position.avg_price) == (-5, 110)
    assert position.trip_pnl == -1


def test_a_short_flipped_long_realises_its_loss() -> None:
    portfolio = _portfolio(fill(SELL, 4, 50, fill_id="a"))

    change = portfolio.apply_fill(fill(BUY, 6, 55, fill_id="b"))

    assert change is not None
    assert change.realised_pnl == -20
    assert portfolio.position("AAA").quantity == 2  # type: ignore[union-attr]


def test_applying_the_same_fill_twice_is_a_no_op() -> None:
    portfolio = _portfolio(fill(BUY, 10, 100, commission=1))
    before = portfolio.snapshot()

    assert portfolio.apply_fill(fill(BUY, 10, 100, commission=1)) is None

    assert portfolio.snapshot() == before


def test_rebuild_from_fills_equals_the_incrementally_built_portfolio() -> None:
    fills = [
        fill(BUY, 10, 100, fill_id="a"),
        fill(SELL, 4, 105, commission=1, fill_id="b", symbol="BBB"),
        fill(SELL, 10, 98, fill_id="c"),
        fill(SELL, 4, 105, commission=1, fill_id="b", symbol="BBB"),
    ]

    rebuilt = Portfolio.rebuild(Decimal(10_000), fills)

    assert rebuilt.snapshot() == _portfolio(*fills).snapshot()
    assert rebuilt.cash == Decimal(10_000) - 1000 + 420 - 1 + 980


def test_snapshot_survives_json_and_restores_positions_marks_and_fill_ids() -> None:
    portfolio = _portfolio(fill(BUY, 10, 100, fill_id="a"), fill(SELL, 3, 120, fill_id="b"))
    portfolio.mark("AAA", Decimal("101.5"))

    restored = Portfolio.from_snapshot(json.loads(json.dumps(portfolio.snapshot())))

    assert restored.snapshot() == portfolio.snapshot()
    assert restored.equity == portfolio.equity
    assert restored.apply_fill(fill(BUY, 10, 100, fill_id="a")) is None


def test_view_answers_questions_without_exposing_the_ledger() -> None:
    portfolio = _portfolio(fill(BUY, 10, 100, commission=1))
    portfolio.mark("AAA", Decimal(90))
    view = PortfolioView(portfolio)

    assert not hasattr(view, "apply_fill")
    assert (view.quantity("AAA"), view.quantity("ZZZ")) == (10, 0)
    assert view.is_long("AAA") and view.is_flat("ZZZ")
    assert (view.unrealised_pnl_of("AAA"), view.market_value("AAA")) == (-100, 900)
    assert (view.avg_price("AAA"), view.avg_price("ZZZ")) == (100, None)
    assert view.exposures() == {"AAA": 900}
    assert (view.cash, view.equity, view.commissions) == (8_999, 9_899, 1)
