"""Upstream: (entry point: pytest)
Downstream: tests.unit.node.kit, trading.core.config, trading.core.registry, trading.core.testing.builders, trading.node.checkpoints, trading.node.loader, (computed)
Role: resuming a portfolio from a checkpoint: the same version carries strategy and risk state; a new version keeps only the parts whose spec is unchanged; cash and positions never come from a checkpoint."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from tests.unit.node.kit import config
from trading.core.config import PortfolioConfig
from trading.core.registry import ComponentSpec
from trading.core.testing.builders import T0, bar
from trading.node.checkpoints import Captured, Progress, resume
from trading.node.loader import LoadedPortfolio, PortfolioRun, build_loaded

RATE = (ComponentSpec("order_rate", {"max_per_second": 5}),)


def base() -> PortfolioConfig:
    return replace(config(symbols=("AAA",), rate=0.5, size=1, seed=7), risks=RATE, version=1)


def captured_after(bars: int, cfg: PortfolioConfig) -> Captured:
    """A checkpoint of ``cfg`` after ``bars`` bars of AAA (``random`` orders, so the risk
    rule has state too)."""
    loaded = build_loaded(PortfolioRun(cfg, 1, (), ()))
    loaded.pipeline.start()
    for index in range(bars):
        loaded.pipeline.on_price(bar(100 + index, time=T0 + timedelta(minutes=index)))
    progress = Progress(bars, 0, {"AAA": T0 + timedelta(minutes=bars - 1)})
    return Captured(cfg, 1, loaded.pipeline.checkpoint(), progress, None)


def fresh(cfg: PortfolioConfig) -> LoadedPortfolio:
    return build_loaded(PortfolioRun(cfg, 2, (), ()))


def test_the_same_version_continues_strategy_and_risk_state_and_the_market_position() -> None:
    captured = captured_after(6, base())
    loaded = fresh(base())

    progress = resume(loaded, captured)

    state = loaded.pipeline.checkpoint()
    assert state["strategy"] == captured.state["strategy"]
    assert state["risk"] == captured.state["risk"]
    assert captured.state["risk"] != fresh(base()).pipeline.checkpoint()["risk"]
    assert progress == captured.progress


def test_a_new_version_with_other_strategy_params_starts_the_strategy_afresh() -> None:
    captured = captured_after(6, base())
    changed = replace(base(), strategy=ComponentSpec("random", {"rate": 0.5, "size": 1, "seed": 8}),
                      version=2)  # fmt: skip
    loaded = fresh(changed)
    untouched = fresh(changed).pipeline.checkpoint()

    resume(loaded, captured)

    state = loaded.pipeline.checkpoint()
    assert state["strategy"] == untouched["strategy"] != captured.state["strategy"]
    assert state["risk"] == captured.state["risk"]


def test_a_new_version_with_other_risk_rules_resets_only_the_risk_state() -> None:
    captured = captured_after(6, base())
    changed = replace(base(), risks=(ComponentSpec("order_rate", {"max_per_second": 9}),),
                      version=2)  # fmt: skip
    loaded = fresh(changed)
    untouched = fresh(changed).pipeline.checkpoint()

    resume(loaded, captured)

    state = loaded.pipeline.checkpoint()
    assert state["strategy"] == captured.state["strategy"]
    assert state["risk"] == untouched["risk"] != captured.state["risk"]


def test_cash_and_positions_are_never_taken_from_the_checkpoint() -> None:
    captured = captured_after(6, base())
    tampered = replace(captured, state={**captured.state, "portfolio": {
        **captured.state["portfolio"], "cash": "1"}})  # fmt: skip
    loaded = fresh(base())

    resume(loaded, tampered)

    assert loaded.pipeline.checkpoint()["portfolio"]["cash"] != "1"
    assert loaded.ledger.cash == Decimal(100_000)
