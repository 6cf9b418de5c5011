"""Upstream: bench.backtest_speed, bench.node_latency, trading.core.backtest.engine, trading.core.reload, trading.management.commands.backtest, trading.models, trading.node.checkpoints, trading.node.loader, trading.services.backtests, trading.services.portfolio_state, trading.services.replays
Downstream: trading.core.accounting.portfolio, trading.core.amounts, trading.core.catalog, trading.core.clock, trading.core.codec, trading.core.errors, trading.core.matching.commissions, trading.core.matching.slippage, trading.core.pipeline, trading.core.registry, trading.core.risk.base, trading.core.sizers, trading.core.strategies.base
Role: PortfolioConfig (what a portfolio runs, as frozen data) and build_pipeline, which turns it into a runnable PortfolioPipeline."""

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Self, TypeVar, cast

from trading.core.accounting.portfolio import Portfolio
from trading.core.amounts import positive_amount
from trading.core.catalog import DEFAULT_SIZER, builtin_registry
from trading.core.clock import Clock
from trading.core.codec import from_primitive, to_primitive
from trading.core.errors import ConfigError
from trading.core.matching.commissions import NO_COMMISSION, CommissionModel
from trading.core.matching.slippage import SlippageModel
from trading.core.pipeline import PortfolioPipeline
from trading.core.registry import ComponentKind, ComponentRegistry, ComponentSpec
from trading.core.risk.base import RiskManager
from trading.core.sizers import Sizer
from trading.core.strategies.base import Strategy

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PortfolioConfig:
    """Everything that defines a portfolio: what it trades, with what capital, and which
    strategy, sizer and (ordered) risk rules it runs. ``version`` grows with every change."""

    portfolio_id: str
    symbols: tuple[str, ...]
    initial_capital: Decimal
    strategy: ComponentSpec
    sizer: ComponentSpec = field(default_factory=lambda: ComponentSpec(DEFAULT_SIZER))
    risks: tuple[ComponentSpec, ...] = ()
    version: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "symbols", tuple(self.symbols))
        object.__setattr__(self, "risks", tuple(self.risks))
        if not self.portfolio_id:
            raise ConfigError("portfolio_id must not be empty")
        if not self.symbols or len(set(self.symbols)) != len(self.symbols):
            raise ConfigError(f"portfolio {self.portfolio_id}: symbols must be non-empty, unique")
        try:
            positive_amount(self.initial_capital)
        except ValueError as exc:
            raise ConfigError(f"portfolio {self.portfolio_id}: initial_capital {exc}") from None
        if self.version < 1:
            raise ConfigError(f"portfolio {self.portfolio_id}: version must be at least 1")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (Decimals as strings)."""
        return cast(dict[str, Any], to_primitive(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read the :meth:`to_dict` form; malformed input raises ConfigError."""
        try:
            return cast(Self, from_primitive(cls, data))
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise ConfigError(f"malformed portfolio config: {exc!r}") from None


def validate_config(
    config: PortfolioConfig, registry: ComponentRegistry | None = None
) -> PortfolioConfig:
    """The config with every component's parameters validated and normalised.

    Raises ConfigError naming the offending component and parameter.
    """
    registry = registry or builtin_registry()

    def checked(kind: ComponentKind, spec: ComponentSpec) -> ComponentSpec:
        return ComponentSpec(spec.name, registry.validate(kind, spec.name, spec.params))

    return dataclasses.replace(
        config,
        strategy=checked(ComponentKind.STRATEGY, config.strategy),
        sizer=checked(ComponentKind.SIZER, config.sizer),
        risks=tuple(checked(ComponentKind.RISK, spec) for spec in config.risks),
    )


def build_pipeline(
    config: PortfolioConfig,
    *,
    clock: Clock,
    registry: ComponentRegistry | None = None,
    portfolio: Portfolio | None = None,
    commission: CommissionModel = NO_COMMISSION,
    run_epoch: int = 0,
) -> PortfolioPipeline:
    """Build the runnable pipeline of ``config``.

    Pass ``portfolio`` to start from existing state (e.g. ``Portfolio.rebuild`` from stored
    fills); ``commission`` is the venue's model, used to size orders; use a new ``run_epoch``
    every time the portfolio starts so client order ids never repeat across runs.
    """
    registry = registry or builtin_registry()
    strategy = _build(registry, ComponentKind.STRATEGY, config.strategy, Strategy)
    sizer = _build(registry, ComponentKind.SIZER, config.sizer, Sizer)
    risks = [_build(registry, ComponentKind.RISK, spec, RiskManager) for spec in config.risks]
    return PortfolioPipeline(
        portfolio_id=config.portfolio_id,
        symbols=config.symbols,
        portfolio=portfolio or Portfolio(config.initial_capital),
        strategy=strategy,
        sizer=sizer,
        clock=clock,
        risk_managers=risks,
        commission=commission,
        run_epoch=run_epoch,
        strategy_name=config.strategy.name,
    )


def build_commission(
    spec: ComponentSpec, registry: ComponentRegistry | None = None
) -> CommissionModel:
    """The commission model ``spec`` names (e.g. ``per_share`` with rate and minimum)."""
    return _build(registry or builtin_registry(), ComponentKind.COMMISSION, spec, CommissionModel)


def build_slippage(spec: ComponentSpec, registry: ComponentRegistry | None = None) -> SlippageModel:
    """The slippage model ``spec`` names (e.g. ``ticks`` or ``bps``)."""
    return _build(registry or builtin_registry(), ComponentKind.SLIPPAGE, spec, SlippageModel)


def _build(
    registry: ComponentRegistry, kind: ComponentKind, spec: ComponentSpec, expected: type[T]
) -> T:
    component = registry.create(kind, spec.name, spec.params)
    if not isinstance(component, expected):
        raise ConfigError(f"{kind} '{spec.name}' does not build a {expected.__name__}")
    return component
