"""Upstream: (entry point: pytest)
Downstream: trading.core.backtest.engine, trading.core.config, trading.core.data.csv_bars, trading.core.matching.commissions, trading.core.registry, trading.core.testing.random_walk
Role: `manage.py backtest` as a real process: its JSON equals the in-process backtest, and bad input fails in one clear line."""

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from trading.core.backtest.engine import BacktestEngine, ExecutionSettings
from trading.core.config import PortfolioConfig
from trading.core.data.csv_bars import read_csv_bars
from trading.core.matching.commissions import PerShareCommission
from trading.core.registry import ComponentSpec
from trading.core.testing.random_walk import random_walk, write_bars_csv

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
    expected = BacktestEngine(config, execution).run(read_csv_bars(walk)).to_dict()
    assert printed == expected
    assert printed["trades"], "the scenario should trade"
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
