"""Upstream: trading.apis.serializers, trading.core.backtest.engine, trading.core.config, trading.management.commands.backtest, trading.models, trading.selectors.components, trading.services.portfolio_config
Downstream: trading.core.matching.commissions, trading.core.matching.slippage, trading.core.registry, trading.core.risk.rules, trading.core.sizers, trading.core.strategies.builtin
Role: the built-in component catalogue: one registry holding every shipped strategy, sizer, risk rule and cost model."""

from trading.core.matching.commissions import NoCommission, PercentCommission, PerShareCommission
from trading.core.matching.slippage import BpsSlippage, NoSlippage, TickSlippage
from trading.core.registry import ComponentKind, ComponentRegistry
from trading.core.risk.rules import (
    DailyLossConfig,
    DailyLossLimit,
    LossLimitConfig,
    LossLimitRisk,
    OrderRateConfig,
    OrderRateRisk,
    PositionRatioConfig,
    PositionRatioRisk,
)
from trading.core.sizers import FixedSizer, PercentSizer, SignalSizer, TargetWeightSizer
from trading.core.strategies.builtin import (
    BuyAndHold,
    BuyAndHoldConfig,
    MovingAverageConfig,
    RandomConfig,
    RandomStrategy,
    RsiReversion,
    RsiReversionConfig,
    SmaCross,
    SmaTrend,
)

DEFAULT_SIZER = "signal"


def builtin_registry() -> ComponentRegistry:
    """A fresh registry with every built-in component; add your own with ``register``."""
    registry = ComponentRegistry()
    kind = ComponentKind
    registry.register(kind.STRATEGY, "sma_cross", MovingAverageConfig, SmaCross)
    registry.register(kind.STRATEGY, "sma_trend", MovingAverageConfig, SmaTrend)
    registry.register(kind.STRATEGY, "rsi_reversion", RsiReversionConfig, RsiReversion)
    registry.register(kind.STRATEGY, "buy_and_hold", BuyAndHoldConfig, BuyAndHold)
    registry.register(kind.STRATEGY, "random", RandomConfig, RandomStrategy)
    registry.register(kind.SIZER, DEFAULT_SIZER, SignalSizer)
    registry.register(kind.SIZER, "fixed", FixedSizer)
    registry.register(kind.SIZER, "percent", PercentSizer)
    registry.register(kind.SIZER, "target_weight", TargetWeightSizer)
    registry.register(kind.RISK, "loss_limit", LossLimitConfig, LossLimitRisk)
    registry.register(kind.RISK, "position_ratio", PositionRatioConfig, PositionRatioRisk)
    registry.register(kind.RISK, "order_rate", OrderRateConfig, OrderRateRisk)
    registry.register(kind.RISK, "daily_loss", DailyLossConfig, DailyLossLimit)
    registry.register(kind.COMMISSION, "none", NoCommission)
    registry.register(kind.COMMISSION, "per_share", PerShareCommission)
    registry.register(kind.COMMISSION, "percent", PercentCommission)
    registry.register(kind.SLIPPAGE, "none", NoSlippage)
    registry.register(kind.SLIPPAGE, "ticks", TickSlippage)
    registry.register(kind.SLIPPAGE, "bps", BpsSlippage)
    return registry
