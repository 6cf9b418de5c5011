"""Upstream: (entry point: pytest)
Downstream: trading.core.testing.builders, trading.core.testing.random_walk, trading.reports
Role: the backtest report without a browser: statistics rows, the trade list with round-trip P&L, the chart data, assets that can be inlined, and the command writing it."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from trading.core.testing.builders import T0
from trading.core.testing.random_walk import random_walk, write_bars_csv
from trading.reports import (
    ASSETS,
    SCRIPTS,
    STYLES,
    backtest_report_html,
    chart_data,
    report_statistics,
    trade_rows,
)


def _day(day: int) -> str:
    return (T0 + timedelta(days=day)).isoformat()


def _fill(day: int, side: str, price: str) -> dict:
    return {
        "datetime": _day(day), "symbol": "AAA", "side": side, "quantity": "10", "price": price,
        "commission": "1", "order_id": f"o{day}", "fill_id": f"f{day}",
    }  # fmt: skip


@pytest.fixture
def result() -> dict:
    """The JSON form of a run over 5 days: bought at 100, sold at 103 (+28 net), bought at
    104, sold at 102.75 (-14.5 net); equity 1000 -> 1020 -> 990 -> 1013.5."""
    equity = ["1000", "1020", "1009", "990", "1013.5"]
    return {
        "initial_capital": "1000", "final_value": "1013.5", "return": 0.0135, "cagr": None,
        "max_drawdown": 0.029411764705882353, "max_drawdown_peak": _day(1),
        "max_drawdown_trough": _day(3), "max_drawdown_recovered": None, "sharpe": 1.5,
        "sortino": 2.5, "round_trips": 2, "win_rate": 0.5, "average_win": "28",
        "average_loss": "-14.5", "exposure": 0.6, "trade_count": 4, "bars": 5,
        "start": _day(0), "end": _day(4),
        "trades": [_fill(1, "buy", "100"), _fill(2, "sell", "103"), _fill(3, "buy", "104"),
                   _fill(4, "sell", "102.75")],
        "trips": [{"symbol": "AAA", "time": _day(2), "pnl": "28"},
                  {"symbol": "AAA", "time": _day(4), "pnl": "-14.5"}],
        "orders": [{"status": "filled"}] * 4 + [{"status": "rejected"}],
        "equity": [{"time": _day(d), "equity": e, "cash": e} for d, e in enumerate(equity)],
        "prices": {"AAA": [{"time": _day(d), "price": p}
                           for d, p in enumerate(["99", "101", "103", "104", "102.75"])]},
    }  # fmt: skip


def test_the_assets_can_be_inlined_in_style_and_script_elements() -> None:
    for name in (*STYLES, *SCRIPTS):
        assert "</" not in (ASSETS / name).read_text(), name


def test_a_fill_that_closes_a_round_trip_carries_its_pnl(result: dict) -> None:
    rows = trade_rows(result)

    assert [(row.time, row.side, row.price, row.pnl, row.pnl_sign) for row in rows] == [
        (f"{T0 + timedelta(days=1):%Y-%m-%d}", "buy", "100.00", "", 0),
        (f"{T0 + timedelta(days=2):%Y-%m-%d}", "sell", "103.00", "+28.00", 1),
        (f"{T0 + timedelta(days=3):%Y-%m-%d}", "buy", "104.00", "", 0),
        (f"{T0 + timedelta(days=4):%Y-%m-%d}", "sell", "102.75", "-14.50", -1),
    ]


def test_statistics_rows_show_every_figure_formatted(result: dict) -> None:
    stats = {stat.key: stat for stat in report_statistics(result)}

    assert [stats[key].value for key in ("return", "cagr", "max_drawdown", "sharpe")] == [
        "1.35%", "n/a", "2.94%", "1.50",
    ]  # fmt: skip
    assert [stats[key].value for key in ("win_rate", "average_win", "average_loss")] == [
        "50.00%", "28.00", "-14.50",
    ]  # fmt: skip
    assert (stats["bars"].value, stats["exposure"].value) == ("5", "60.00%")
    assert stats["bars"].note == f"{T0:%Y-%m-%d} to {T0 + timedelta(days=4):%Y-%m-%d}"
    assert stats["max_drawdown"].note == (
        f"peak {T0 + timedelta(days=1):%Y-%m-%d}, trough {T0 + timedelta(days=3):%Y-%m-%d}, "
        "not recovered"
    )
    assert (stats["trades"].value, stats["trades"].note) == ("4 fills", "2 round trips")
    assert (stats["orders"].value, stats["orders"].note) == ("5", "1 rejected")


def test_a_result_stored_before_the_statistics_existed_shows_n_a() -> None:
    old = {"initial_capital": "100", "final_value": "110", "return": 0.1, "bars": 3}

    stats = {stat.key: stat.value for stat in report_statistics(old)}
    html = backtest_report_html(result=old, title="old run")

    assert stats["return"] == "10.00%"
    assert stats["sortino"] == stats["cagr"] == stats["exposure"] == "n/a"
    assert "holds no prices" in html


def test_chart_data_carries_equity_drawdown_prices_and_fills(result: dict) -> None:
    data = chart_data(result)

    assert data["equity"]["t"][0] == int(T0.timestamp() * 1000)
    assert data["equity"]["v"] == [1000, 1020, 1009, 990, 1013.5]
    # Below the running peak (1020 from the second day), as negative fractions.
    expected = [0, 0, -11 / 1020, -30 / 1020, -6.5 / 1020]
    assert data["equity"]["drawdown"] == pytest.approx(expected, abs=1e-6)
    assert data["maxDrawdown"] == {
        "from": int((T0 + timedelta(days=1)).timestamp() * 1000),
        "to": int((T0 + timedelta(days=3)).timestamp() * 1000),
    }
    (symbol,) = data["symbols"]
    assert symbol["v"] == [99, 101, 103, 104, 102.75]
    assert [(fill["side"], fill["price"]) for fill in symbol["fills"]] == [
        ("buy", 100), ("sell", 103), ("buy", 104), ("sell", 102.75),
    ]  # fmt: skip
    assert symbol["fills"][0]["title"] == f"buy 10 AAA @ 100.00, {T0 + timedelta(days=1):%Y-%m-%d}"


def test_the_command_writes_the_report_and_names_it_in_its_summary(tmp_path: Path) -> None:
    bars = write_bars_csv(tmp_path / "WALK.csv", random_walk(60, seed=3, volatility=0.02))
    report = tmp_path / "walk.html"
    out = StringIO()

    call_command(
        "backtest", "--data", str(bars), "--strategy", "sma_cross", "--param", "period=5",
        "--cash", "10000", "--report", str(report), stdout=out,
    )  # fmt: skip

    html = report.read_text()
    assert out.getvalue().rstrip().endswith(f"Report:        {report}")
    assert "<title>sma_cross on WALK · Ginkgo Live backtest report</title>" in html
    assert 'id="report-data"' in html and "period=5, cash 10000" in html


def test_a_report_that_cannot_be_written_fails_in_one_line(tmp_path: Path) -> None:
    bars = write_bars_csv(tmp_path / "WALK.csv", random_walk(20, seed=3))
    target = tmp_path / "missing" / "walk.html"

    with pytest.raises(CommandError, match=f"cannot write the report to {target}: "):
        call_command(
            "backtest", "--data", str(bars), "--strategy", "buy_and_hold", "--cash", "10000",
            "--report", str(target), stdout=StringIO(),
        )  # fmt: skip
