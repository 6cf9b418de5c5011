"""Upstream: trading.core.backtest.engine, trading.node.checkpoints
Downstream: trading.core.config, trading.core.pipeline
Role: the reload rule: what a portfolio's instance of a new configuration version takes over from the one it replaces (strategy state, risk state), applied alike by a node and by a backtest over several versions."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trading.core.config import PortfolioConfig
from trading.core.pipeline import PortfolioPipeline


@dataclass(frozen=True, slots=True)
class Carry:
    """Which parts of the old instance's state the new one keeps."""

    strategy: bool
    risk: bool


def reload_carry(old: PortfolioConfig, new: PortfolioConfig) -> Carry:
    """Same version (a restart, a migration): everything. Another version (a reload): the
    strategy's state when its spec is unchanged, the risk state when the rules are."""
    same = old.version == new.version
    return Carry(strategy=same or old.strategy == new.strategy, risk=same or old.risks == new.risks)


def carry_state(pipeline: PortfolioPipeline, saved: Mapping[str, Any], carry: Carry) -> None:
    """Restore into ``pipeline`` (not started yet) the parts of the checkpoint ``saved`` that
    ``carry`` keeps. Its own cash, positions and working orders stay as they are: they come
    from the fills and orders (the system of record), never from a checkpoint."""
    if not (carry.strategy or carry.risk):
        return
    state = pipeline.checkpoint()
    if carry.strategy:
        state["strategy"] = saved["strategy"]
    if carry.risk:
        state["risk"] = saved["risk"]
    pipeline.restore(state)
