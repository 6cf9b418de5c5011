"""Upstream: trading.management.commands.seed_demo
Downstream: trading.core.data.csv_bars, trading.demo_data, trading.livecore.sources, trading.models, trading.services.portfolios, trading.services.users, trading.storage.feed_marks
Role: seeds the make-run demo: six running portfolios over real daily bars, and a demo admin with a token."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trading import models
from trading.core.data.csv_bars import read_csv_bars
from trading.demo_data import demo_bar_files
from trading.livecore.sources import ReplaySpan, replay_span
from trading.services.portfolios import portfolio_create, portfolio_start
from trading.services.users import user_upsert
from trading.storage.feed_marks import SqlFeedMarks

DEMO_USER = "demo"
# A local demo login, printed on purpose by make run.
DEMO_PASSWORD = "demo-password"


def _risk(name: str, **params: Any) -> dict[str, Any]:
    return {"name": name, "params": params}


# Six portfolios with different strategies, sizers and risk managers over overlapping symbols.
DEMO_PORTFOLIOS: dict[str, dict[str, Any]] = {
    "demo.sma_aapl": {
        "name": "SMA cross on AAPL",
        "symbols": ["AAPL"],
        "strategy": {"name": "sma_cross", "params": {"period": 10, "size": 20}},
        "sizer": {"name": "signal", "params": {}},
        "risks": [_risk("loss_limit", max_loss="0.10")],
    },
    "demo.trend_msft": {
        "name": "SMA trend on MSFT",
        "symbols": ["MSFT"],
        "strategy": {"name": "sma_trend", "params": {"period": 20, "size": 100}},
        "sizer": {"name": "fixed", "params": {"quantity": 100}},
        "risks": [_risk("position_ratio", max_ratio="0.30")],
    },
    "demo.rsi_ibm": {
        "name": "RSI reversion on IBM",
        "symbols": ["IBM"],
        "strategy": {"name": "rsi_reversion", "params": {"period": 14, "low": 35, "high": 65}},
        "sizer": {"name": "percent", "params": {"percent": 20}},
        "risks": [_risk("loss_limit", max_loss="0.08"), _risk("position_ratio", max_ratio="0.25")],
    },
    "demo.hold_all": {
        "name": "Buy and hold, four stocks",
        "symbols": ["AAPL", "MSFT", "IBM", "GOOG"],
        "strategy": {"name": "buy_and_hold", "params": {"size": 1}},
        "sizer": {"name": "target_weight", "params": {"weight": "0.2"}},
        "risks": [],
    },
    "demo.random_goog": {
        "name": "Random flips on GOOG and AAPL",
        "symbols": ["GOOG", "AAPL"],
        "strategy": {"name": "random", "params": {"seed": 7, "rate": 0.2, "size": 5}},
        "sizer": {"name": "signal", "params": {}},
        "risks": [
            _risk("order_rate", max_per_second=5),
            _risk("daily_loss", max_daily_loss="0.05"),
        ],
    },
    "demo.sma_pair": {
        "name": "Fast SMA cross on MSFT and IBM",
        "symbols": ["MSFT", "IBM"],
        "strategy": {"name": "sma_cross", "params": {"period": 5, "size": 10}},
        "sizer": {"name": "fixed", "params": {"quantity": 10}},
        "risks": [_risk("loss_limit", max_loss="0.10")],
    },
}


@dataclass(frozen=True)
class DemoSeed:
    bar_files: list[Path]
    created: list[str]
    username: str
    password: str
    token: str


def demo_seed(*, data_dir: Path, capital: str = "100000") -> DemoSeed:
    """Idempotent: writes the bar files, creates missing demo portfolios (running) and the
    demo admin; portfolios that exist are left as the user changed them."""
    files = demo_bar_files(data_dir)
    existing = set(models.Portfolio.objects.values_list("portfolio_id", flat=True))
    created = []
    for portfolio_id, data in DEMO_PORTFOLIOS.items():
        if portfolio_id in existing:
            continue
        portfolio_create(
            actor=None,
            portfolio_id=portfolio_id,
            data={**data, "market": models.Market.DEFAULT, "initial_capital": capital},
            comment="make run demo",
        )
        portfolio_start(actor=None, portfolio_id=portfolio_id, reason="make run demo")
        created.append(portfolio_id)
    user, token = user_upsert(username=DEMO_USER, role="admin", password=DEMO_PASSWORD)
    if not user.is_superuser:
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    return DemoSeed(files, created, DEMO_USER, DEMO_PASSWORD, token)


def demo_replay(bar_files: Sequence[Path]) -> ReplaySpan:
    """What the demo's replay of ``bar_files`` covers, and where LiveCore (run with
    ``--resume`` on the demo's market) carries it on after the marks of the last run."""
    marks = SqlFeedMarks(models.Market.DEFAULT).load()
    return replay_span([read_csv_bars(path) for path in bar_files], marks)
