"""Upstream: (entry point: pytest)
Downstream: trading.core.backtest.compare, trading.core.enums, trading.core.orders.events, trading.core.testing.builders
Role: two runs' fills compared one by one on the trade (time, symbol, side, quantity, price), whatever their ids, decimal scale or recording order, naming the first divergence with both sides."""

from datetime import timedelta
from decimal import Decimal

from trading.core.backtest.compare import compare_fills, fill_row, fill_text
from trading.core.enums import Side
from trading.core.orders.events import Fill
from trading.core.testing.builders import T0


def _fill(price: str, *, symbol: str = "AAA", day: int = 0, fill_id: str = "f") -> Fill:
    return Fill(
        fill_id=fill_id,
        client_order_id="o",
        symbol=symbol,
        side=Side.BUY,
        quantity=Decimal("10.00000000"),
        price=Decimal(price),
        commission=Decimal(0),
        time=T0 + timedelta(days=day),
    )


def test_fills_compare_on_the_trade_not_on_ids_scale_or_recording_order() -> None:
    live = [_fill("20.50000000", symbol="BBB", fill_id="x2"), _fill("10.5", fill_id="x1")]
    replayed = [_fill("10.5", fill_id="r1"), _fill("20.5", symbol="BBB", fill_id="r2")]

    comparison = compare_fills(live, replayed)

    assert (comparison.equal, comparison.live, comparison.replayed, comparison.matched) == (
        True,
        2,
        2,
        2,
    )


def test_the_first_divergence_names_both_sides() -> None:
    live = [_fill("10", day=0), _fill("11", day=1), _fill("12", day=2)]
    replayed = [_fill("10", day=0), _fill("11.5", day=1)]

    comparison = compare_fills(live, replayed)
    shorter = compare_fills(live, live[:2])

    assert not comparison.equal
    assert comparison.matched == 1
    assert comparison.divergence is not None
    assert comparison.divergence.to_dict() == {
        "index": 1,
        "live": fill_row(live[1]),
        "replayed": fill_row(replayed[1]),
    }
    assert shorter.divergence is not None
    assert (shorter.divergence.index, shorter.divergence.replayed) == (2, None)
    assert fill_text(live[1]) == "2024-01-03T00:00:00+00:00 buy 10 AAA @ 11"
    assert fill_row(live[1])["quantity"] == "10"
