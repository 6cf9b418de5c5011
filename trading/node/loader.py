"""Upstream: bench.node_latency, trading.node.checkpoints, trading.node.host, trading.node.processor, trading.services.portfolio_state
Downstream: trading.core.accounting.portfolio, trading.core.clock, trading.core.config, trading.core.orders.events, trading.core.orders.state, trading.core.pipeline, trading.core.registry, trading.node.clock
Role: builds a portfolio's pipeline from what the database holds (PortfolioRun): config, run epoch, cash and positions from its fills, working orders."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from trading.core.accounting.portfolio import Portfolio
from trading.core.clock import DAWN_OF_TIME
from trading.core.config import PortfolioConfig, build_pipeline
from trading.core.orders.events import Fill
from trading.core.orders.state import TrackedOrder
from trading.core.pipeline import PortfolioPipeline
from trading.core.registry import ComponentRegistry
from trading.node.clock import EventClock


@dataclass(frozen=True, slots=True)
class PortfolioRun:
    """Everything a node needs to start a portfolio, as the database has it: its config
    (with the stored version), the run epoch this start was given, its fills (oldest
    first) and its working orders."""

    config: PortfolioConfig
    run_epoch: int
    fills: tuple[Fill, ...]
    working_orders: tuple[TrackedOrder, ...]


@dataclass(frozen=True, slots=True)
class LoadedPortfolio:
    """A pipeline ready to start, with the clock that drives it."""

    config: PortfolioConfig
    run_epoch: int
    pipeline: PortfolioPipeline
    clock: EventClock
    # The pipeline's ledger, for its owner thread's read-only questions (known fill ids).
    ledger: Portfolio
    fills: int
    last_fill_at: datetime | None


def build_loaded(run: PortfolioRun, registry: ComponentRegistry | None = None) -> LoadedPortfolio:
    """The pipeline of ``run``: fills replayed into fresh capital, working orders restored.

    The clock starts at the newest stored event, so the run never goes back in time.
    """
    times = [fill.time for fill in run.fills]
    times.extend(tracked.order.created_at for tracked in run.working_orders)
    clock = EventClock(max(times, default=DAWN_OF_TIME))
    ledger = Portfolio.rebuild(run.config.initial_capital, run.fills)
    pipeline = build_pipeline(
        run.config, clock=clock, registry=registry, portfolio=ledger, run_epoch=run.run_epoch
    )
    if run.working_orders:
        _restore_working_orders(pipeline, run.working_orders)
    last_fill_at = max((fill.time for fill in run.fills), default=None)
    return LoadedPortfolio(
        run.config, run.run_epoch, pipeline, clock, ledger, len(run.fills), last_fill_at
    )


def build_check(config: PortfolioConfig, registry: ComponentRegistry | None = None) -> None:
    """Build ``config``'s pipeline and throw it away: raises what a start would raise."""
    build_pipeline(config, clock=EventClock(DAWN_OF_TIME), registry=registry)


def _restore_working_orders(pipeline: PortfolioPipeline, orders: Sequence[TrackedOrder]) -> None:
    # The pipeline takes working orders only through restore(): its own fresh checkpoint
    # with the orders swapped in changes nothing else. (A PortfolioPipeline.load_orders()
    # in the core would make this detour unnecessary.)
    checkpoint = pipeline.checkpoint()
    checkpoint["open_orders"] = [tracked.snapshot() for tracked in orders]
    pipeline.restore(checkpoint)
