"""Upstream: (entry point: pytest)
Downstream: tests.integration.api.factories, trading.core.backtest.compare, trading.core.backtest.engine, trading.core.config, trading.core.data.csv_bars, trading.core.data.ordering, trading.core.matching.commissions, trading.core.registry, trading.core.testing.random_walk, trading.services.portfolios, trading.storage.stores
Role: `manage.py backtest` as a real process: its JSON equals the in-process backtest, bad input (numbers, bars, dates) fails in one clear line, buys never overdraw, history from 1800 runs."""

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.integration.api.factories import make_portfolio
from trading.core.backtest.compare import fill_row
from trading.core.backtest.engine import BacktestEngine, ExecutionSettings
from trading.core.config import PortfolioConfig
from trading.core.data.csv_bars import read_csv_bars
from trading.core.data.ordering import merge_streams
from trading.core.matching.commissions import PerShareCommission
from trading.core.registry import ComponentSpec
from trading.core.testing.random_walk import random_walk, write_bars_csv
from trading.services.portfolios import portfolio_update
from trading.storage.stores import bar_store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def walk(tmp_path: Path) -> Path:
    """A seeded random walk of 300 daily bars in WALK.csv."""
    return write_bars_csv(tmp_path / "WALK.csv", random_walk(300, seed=42, volatility=0.02))


def _backtest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ginkgo_site.settings",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "backtest", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_json_output_is_one_object_equal_to_the_in_process_backtest(
    walk: Path, tmp_path: Path
) -> None:
    done = _backtest(
        tmp_path,
        *("--data", str(walk), "--strategy", "sma_cross", "--param", "period=15"),
        *("--cash", "25000", "--sizer", "percent:50", "--commission", "per_share:0.005:1"),
        "--json",
    )

    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    config = PortfolioConfig(
        portfolio_id="backtest",
        symbols=("WALK",),
        initial_capital=Decimal(25_000),
        strategy=ComponentSpec("sma_cross", {"period": 15}),
        sizer=ComponentSpec("percent", {"percent": 50}),
    )
    execution = ExecutionSettings(commission=PerShareCommission(Decimal("0.005"), Decimal(1)))
    result = BacktestEngine(config, execution).run(read_csv_bars(walk))
    assert printed == {**result.to_dict(), "fills": [fill_row(fill) for fill in result.trades]}
    assert printed["trades"], "the scenario should trade"
    assert set(printed["fills"][0]) == {"time", "symbol", "side", "quantity", "price", "commission"}
    assert {"datetime", "side", "quantity", "price", "commission"} <= set(printed["trades"][0])
    assert printed["trades"][0]["symbol"] == "WALK"
    assert {"final_value", "cash", "return", "max_drawdown", "sharpe", "orders"} <= set(printed)


def test_the_default_output_is_a_readable_summary(walk: Path, tmp_path: Path) -> None:
    done = _backtest(tmp_path, "--data", str(walk), "--strategy", "buy_and_hold", "--cash", "1000")

    assert done.returncode == 0, done.stderr
    assert "Final value:" in done.stdout
    assert "Bars:          300 (2024-01-02 .. 2024-10-27)" in done.stdout


def test_from_and_to_restrict_the_bars(walk: Path, tmp_path: Path) -> None:
    done = _backtest(
        tmp_path,
        *("--data", str(walk), "--strategy", "buy_and_hold", "--cash", "1000"),
        *("--from", "2024-02-01", "--to", "2024-02-29", "--json"),
    )

    printed = json.loads(done.stdout)
    assert (printed["bars"], printed["start"][:10], printed["end"][:10]) == (
        29,
        "2024-02-01",
        "2024-02-29",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--data", "{dir}/missing.csv", "--strategy", "sma_cross"), "cannot open"),
        (("--data", "{bad}", "--strategy", "sma_cross"), "unknown column 'Colour'"),
        (("--data", "{walk}", "--strategy", "moon_phase"), "unknown strategy 'moon_phase'"),
        (
            ("--data", "{walk}", "--strategy", "sma_cross", "--param", "speed=3"),
            "strategy 'sma_cross': unknown parameter 'speed'",
        ),
        (
            ("--data", "{walk}", "--strategy", "sma_cross", "--param", "period=1"),
            "parameter 'period' must be >= 2",
        ),
        (("--data", "{walk}", "--strategy", "sma_cross", "--sizer", "kelly:2"), "unknown sizer"),
    ],
)
def test_bad_input_fails_with_one_clear_line(
    walk: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Date,Colour,Open,High,Low,Close,Volume\n")
    filled = [a.format(dir=tmp_path, bad=bad, walk=walk) for a in args]

    done = _backtest(tmp_path, *filled, "--cash", "1000", "--json")

    assert done.returncode != 0
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert message in lines[0]


def _bars_file(tmp_path: Path, name: str, *rows: str) -> Path:
    path = tmp_path / name
    path.write_text("Date,Open,High,Low,Close,Volume\n" + "".join(f"{row}\n" for row in rows))
    return path


GOOD_ROW = "2024-01-02,100,101,99,100,1000"


@pytest.mark.parametrize(
    ("rows", "options", "message"),
    [
        (
            (GOOD_ROW, "2024-01-03,0,0,0,0,1000"),
            (),
            "BAD.csv:3: bad row '2024-01-03,0,0,0,0,1000': open 0 is not above 0",
        ),
        (
            (GOOD_ROW, "2024-01-03,-5,-4,-6,-5,1000"),
            (),
            "BAD.csv:3: bad row '2024-01-03,-5,-4,-6,-5,1000': open -5 is not above 0",
        ),
        (
            (GOOD_ROW, "2024-01-03,500,101,99,100,1000"),
            (),
            "BAD.csv:3: bad row '2024-01-03,500,101,99,100,1000': open 500 is above high 101",
        ),
        (
            (GOOD_ROW, "2024-01-03,100,101,99,NaN,1000"),
            (),
            "BAD.csv:3: bad row '2024-01-03,100,101,99,NaN,1000': close is not a finite number",
        ),
        (
            (GOOD_ROW, "2024-01-03,100,101,99,Infinity,1000"),
            (),
            "close is not a finite number (Infinity)",
        ),
        (
            (GOOD_ROW, "2024-01-03,NaN,101,99,100,1000"),
            (),
            "BAD.csv:3: bad row '2024-01-03,NaN,101,99,100,1000': open is not a finite number",
        ),
        (
            (GOOD_ROW, "2024-01-03,Infinity,101,99,100,1000"),
            (),
            "open is not a finite number (Infinity)",
        ),
        ((), (), "BAD.csv: no bars, only a header"),
        ((GOOD_ROW,), ("--cash", "NaN"), "--cash must be a finite number, got 'NaN'"),
        ((GOOD_ROW,), ("--cash", "Infinity"), "--cash must be a finite number, got 'Infinity'"),
        ((GOOD_ROW,), ("--cash", "1e20"), "--cash must be above 0 and at most 1e+15, got 1e20"),
        (
            (GOOD_ROW,),
            ("--param", "period=1e20"),
            "strategy 'sma_cross': parameter 'period' must be an integer, got '1e20'",
        ),
        (
            (GOOD_ROW,),
            ("--param", "period=100000000000000000000"),
            "parameter 'period' must be <= 10000",
        ),
        (
            (GOOD_ROW,),
            ("--sizer", "fixed:1e30"),
            "sizer 'fixed': parameter 'quantity' must be <= 1000000000",
        ),
        (
            (GOOD_ROW,),
            ("--from", "2024-03-01", "--to", "2024-02-01"),
            "--from 2024-03-01 is after --to 2024-02-01",
        ),
        ((GOOD_ROW,), ("--from", "2025-01-01"), "no bars in {path} from 2025-01-01 to the end"),
    ],
)
def test_numbers_and_bars_that_cannot_be_traded_fail_in_one_clear_line(
    tmp_path: Path, rows: tuple[str, ...], options: tuple[str, ...], message: str
) -> None:
    path = _bars_file(tmp_path, "BAD.csv", *rows)

    done = _backtest(
        tmp_path, "--data", str(path), "--strategy", "sma_cross", "--cash", "1000", *options
    )

    assert done.returncode != 0
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert message.format(path=path) in line


def test_buying_1000_shares_with_1000_of_cash_is_rejected_not_overdrawn(tmp_path: Path) -> None:
    path = _bars_file(
        tmp_path,
        "ORCL.csv",
        "2024-01-02,27.10,27.40,27.00,27.23,1000",
        "2024-01-03,27.30,27.60,27.20,27.50,1000",
        "2024-01-04,27.60,28.10,27.50,28.00,1000",
    )
    args = ("--data", str(path), "--strategy", "buy_and_hold", "--sizer", "fixed:1000")

    printed = json.loads(_backtest(tmp_path, *args, "--cash", "1000", "--json").stdout)
    summary = _backtest(tmp_path, *args, "--cash", "1000").stdout

    assert (printed["cash"], printed["final_value"], printed["trades"]) == ("1000", "1000", [])
    assert [o["status"] for o in printed["orders"]] == ["rejected", "rejected", "accepted"]
    assert printed["orders"][0]["reason"] == (
        "insufficient_cash: buying 1000 at 27.30 costs 27300.00 (commission included), "
        "available cash is 1000.00"
    )
    assert "Orders:        3, 2 rejected (first: insufficient_cash: buying 1000" in summary


def test_a_daily_history_from_1800_is_backtested(tmp_path: Path) -> None:
    start = datetime(1800, 1, 1, tzinfo=UTC)
    path = write_bars_csv(tmp_path / "INDEX.csv", random_walk(3000, start=start, seed=3))

    done = _backtest(
        tmp_path, "--data", str(path), "--strategy", "sma_cross", "--cash", "100000", "--json"
    )

    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert (printed["bars"], printed["start"]) == (3000, "1800-01-01T00:00:00+00:00")


PAIR = ("AAA", "BBB")


def _pair_files(tmp_path: Path) -> dict[str, Path]:
    """Two walks over the same days (so bars share times), in files not named after them."""
    return {
        symbol: write_bars_csv(
            tmp_path / f"walk{seed}.csv",
            random_walk(150, seed=seed, volatility=0.03, symbol=symbol),
        )
        for seed, symbol in enumerate(PAIR)
    }


def _data(files: dict[str, Path]) -> list[str]:
    return [arg for symbol, path in files.items() for arg in ("--data", f"{symbol}={path}")]


def test_one_data_file_per_symbol_backtests_them_together_in_the_event_order(
    tmp_path: Path,
) -> None:
    files = _pair_files(tmp_path)
    args = ("--strategy", "sma_cross", "--param", "period=5", "--cash", "100000", "--json")

    done = _backtest(tmp_path, *_data(files), *args)

    assert done.returncode == 0, done.stderr
    config = PortfolioConfig(
        portfolio_id="backtest",
        symbols=PAIR,
        initial_capital=Decimal(100_000),
        strategy=ComponentSpec("sma_cross", {"period": 5}),
    )
    bars = merge_streams([read_csv_bars(files[s], s) for s in PAIR])
    expected = BacktestEngine(config).run(bars)
    fills = json.loads(done.stdout)["fills"]
    assert fills == [fill_row(fill) for fill in expected.trades]
    assert {fill["symbol"] for fill in fills} == set(PAIR)


def _call(*args: str) -> dict:
    out = StringIO()
    call_command("backtest", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def _pair_portfolio() -> None:
    make_portfolio(
        "pair",
        symbols=list(PAIR),
        strategy={"name": "sma_cross", "params": {"period": 5, "size": 10}},
        sizer={"name": "fixed", "params": {"quantity": "10"}},
        risks=[{"name": "loss_limit", "params": {"max_loss": "0.05"}}],
    )


@pytest.mark.django_db
def test_a_stored_portfolio_trades_the_same_over_the_bar_store_as_over_its_files(
    bar_store_kind: str, tmp_path: Path
) -> None:
    files = _pair_files(tmp_path)
    bar_store().write_bars([bar for s in PAIR for bar in read_csv_bars(files[s], s)])
    _pair_portfolio()

    stored = _call("--portfolio", "pair")
    from_files = _call("--portfolio", "pair", *_data(files))
    window = _call("--portfolio", "pair", "--from", "2024-02-01", "--to", "2024-03-31T00:00:00")

    assert stored["fills"], "the scenario should trade"
    assert {fill["symbol"] for fill in stored["fills"]} == set(PAIR)
    assert stored["fills"] == from_files["fills"]
    assert stored["bars"] == 300
    assert (window["start"], window["end"]) == (
        "2024-02-01T00:00:00+00:00",
        "2024-03-31T00:00:00+00:00",
    )


@pytest.mark.django_db
def test_version_runs_an_earlier_configuration(tmp_path: Path) -> None:
    files = _pair_files(tmp_path)
    _pair_portfolio()
    first = _call("--portfolio", "pair", *_data(files))
    portfolio_update(
        actor=None,
        portfolio_id="pair",
        data={"strategy": {"name": "sma_cross", "params": {"period": 9, "size": 10}}},
    )

    assert _call("--portfolio", "pair", "--version", "1", *_data(files)) == first
    assert _call("--portfolio", "pair", *_data(files))["fills"] != first["fills"]


CASH = ("--strategy", "sma_cross", "--cash", "10")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--portfolio", "nope"), "no portfolio nope"),
        (("--portfolio", "pair", "--version", "7"), "no version 7 of portfolio pair"),
        (("--portfolio", "pair", *CASH), "--strategy, --cash cannot be given with it"),
        (("--portfolio", "pair", "--data", "AAA={walk}"), "the files give bars of AAA; "),
        (("--data", "AAA={walk}", "--data", "AAA={walk}", *CASH), "--data gives AAA more than"),
        (("--data", "{walk}", "--version", "2", *CASH), "--version needs --portfolio"),
        (CASH, "one of --data, --store or --portfolio is required"),
    ],
)
def test_portfolio_and_data_mistakes_fail_in_one_clear_line(
    walk: Path, args: tuple[str, ...], message: str
) -> None:
    _pair_portfolio()

    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("backtest", *(arg.format(walk=walk) for arg in args))
