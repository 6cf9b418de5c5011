"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.cluster, ginkgo_site.devstack.waiting, tests.integration.node.conftest, trading.core.backtest.engine, trading.core.data.ordering, trading.core.market, trading.core.orders.events, trading.core.testing.random_walk, trading.services.portfolio_state
Role: a `run_node` and a `run_livecore` replaying bars at 20 bars/s over the real broker, PostgreSQL and Redis: portfolios that trade on the bar right after a fill (one or two symbols) get exactly the backtest's fills, on every run and across a LiveCore killed with SIGKILL and restarted."""

import signal
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import pytest

from ginkgo_site.devstack.cluster import process_env, spawn, status, stop
from ginkgo_site.devstack.waiting import wait_until
from tests.integration.node.conftest import make_portfolio
from trading.core.backtest.engine import BacktestEngine
from trading.core.data.ordering import merge_streams
from trading.core.market import Bar
from trading.core.orders.events import Fill
from trading.core.testing.random_walk import random_walk, write_bars_csv
from trading.services.portfolio_state import portfolio_config_get, portfolio_fill_list

pytestmark = pytest.mark.slow

BARS = 60
# Each run replays the same two random walks under symbols of its own, so one node holds the
# portfolios of every run and each run's portfolios see only their run's bars.
RUNS = {1: ("AAA", "BBB"), 2: ("CCC", "DDD"), 3: ("EEE", "FFF")}
KILLED_AT = 25  # run 3: LiveCore is killed once its portfolios handled this many bars


def portfolios(run: int) -> dict[str, tuple[list[str], str, dict[str, object]]]:
    """One run's portfolios: each trades on the bar right after a fill."""
    first, second = RUNS[run]
    return {
        f"flip{run}": ([first], "random", {"rate": 1.0, "size": 10, "seed": 1}),
        f"sma{run}": ([first], "sma_cross", {"period": 3, "size": 10}),
        f"pair{run}": ([first, second], "random", {"rate": 0.6, "size": 10, "seed": 2}),
    }


def bars(symbol: str) -> list[Bar]:
    """A run's first symbol replays walk 0 and its second walk 1, whatever the run."""
    seed = next(pair.index(symbol) for pair in RUNS.values() if symbol in pair)
    return list(random_walk(BARS, seed=seed, symbol=symbol, volatility=0.02))


def expected_fills(portfolio_id: str, since: datetime) -> list[tuple]:
    config = portfolio_config_get(portfolio_id=portfolio_id)
    updates = [b for b in merge_streams(bars(s) for s in config.symbols) if b.time >= since]
    return _by_event(BacktestEngine(config).run(updates).trades)


def live_fills(portfolio_id: str) -> list[tuple]:
    return _by_event(portfolio_fill_list(portfolio_id=portfolio_id))


def _by_event(fills: Iterable[Fill]) -> list[tuple]:
    return sorted((f.time, f.symbol, f.side, f.quantity, f.price) for f in fills)


def handled(redis_client, portfolio_id: str) -> int:
    return int(status(redis_client, portfolio_id).get("processed") or 0)


def test_live_fills_equal_the_backtest_at_20_bars_a_second_on_every_run_and_across_a_livecore_kill(
    transactional_db, bus, redis_url, redis_prefix, redis_client, tmp_path: Path
):
    everyone: dict[str, list[str]] = {}
    files: dict[int, list[Path]] = {}
    for run, symbols in RUNS.items():
        for portfolio_id, (held, strategy, params) in portfolios(run).items():
            make_portfolio(portfolio_id, held, strategy, **params)
            everyone[portfolio_id] = held
        files[run] = [write_bars_csv(tmp_path / f"{s}.csv", bars(s)) for s in symbols]
    # Generous: a held bar outlasts LiveCore's restart on a busy machine.
    env = process_env(bus, redis_url, redis_prefix, GINKGO_ORDERING_WAIT="90")
    node = spawn(
        ["run_node", "--node-id", "n1", "--portfolios", ",".join(everyone)],
        env,
        tmp_path / "node.log",
    )

    def livecore(run: int):
        argv = ["run_livecore", "--engine-id", "e2e", "--source", "replay", "--speed", "0.05",
                "--files", *map(str, files[run])]  # fmt: skip
        return spawn(argv, env, tmp_path / f"livecore-{run}.log")

    def replayed(run: int) -> None:
        for portfolio_id in portfolios(run):
            bars_due = len(everyone[portfolio_id]) * BARS
            wait_until(
                lambda p=portfolio_id, n=bars_due: handled(redis_client, p) == n,
                timeout=120,
                what=f"every bar through {portfolio_id}",
            )

    core = None
    try:
        # Every portfolio runs before the first bar: its first live bar is the replay's first.
        wait_until(
            lambda: all(status(redis_client, p).get("status") == "running" for p in everyone),
            timeout=60,
            what="every portfolio running",
        )
        for run in RUNS:
            core = livecore(run)
            if run == 3:
                wait_until(
                    lambda: handled(redis_client, "flip3") >= KILLED_AT,
                    timeout=120,
                    what="run 3 under way",
                )
                stop(core, signal.SIGKILL)
                core = livecore(run)  # from the first bar again: repeats are skipped
            replayed(run)
            assert stop(core) == 0
            core = None
        # LiveCore records a fill before it publishes it: stopped, every fill is on its way.
        for portfolio_id in everyone:
            wait_until(
                lambda p=portfolio_id: (
                    status(redis_client, p).get("fills")
                    == str(len(portfolio_fill_list(portfolio_id=p)))
                ),
                what=f"{portfolio_id}'s fills booked",
            )
        reports = {p: status(redis_client, p) for p in everyone}
    finally:
        if core is not None:
            stop(core)
        assert stop(node) == 0

    first_bar = bars("AAA")[0].time.isoformat()
    for portfolio_id, report in reports.items():
        assert (report["first_event_time"], report["waits_expired"]) == (first_bar, "0"), (
            portfolio_id
        )
        since = datetime.fromisoformat(report["first_event_time"])
        live, expected = live_fills(portfolio_id), expected_fills(portfolio_id, since)
        assert len(expected) > 10, portfolio_id
        assert live == expected, portfolio_id
    # The same bars twice (and a third time across the kill): the same fills.
    for name in ("flip", "sma", "pair"):
        runs = [[fill[0:1] + fill[2:] for fill in live_fills(f"{name}{run}")] for run in RUNS]
        assert runs[0] == runs[1] == runs[2], name
