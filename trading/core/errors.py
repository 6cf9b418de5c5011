"""Upstream: trading.apis.portfolio_verify, trading.core.clock, trading.core.config, trading.core.data.csv_bars, trading.core.matching.rules, trading.core.orders.book, trading.core.orders.order, trading.core.orders.state, trading.core.pipeline, trading.core.registry, trading.core.strategies.base, trading.livecore.engine, trading.management.commands.backtest, trading.management.commands.import_bars, trading.management.commands.portfolio_verify, trading.management.commands.seed_demo, trading.services.backtests, trading.services.bar_imports, trading.services.portfolio_config, trading.services.portfolio_verify, trading.services.replays, trading.services.twins, trading.storage.bar_files
Downstream: (none)
Role: the exception types of the core, so callers can tell configuration, data and order faults apart."""


class CoreError(Exception):
    """Base of every error the trading core raises on purpose."""


class ConfigError(CoreError, ValueError):
    """User-supplied configuration is invalid; the message names the component and parameter."""


class DataError(CoreError, ValueError):
    """Market data cannot be read; the message names the source and the line."""


class OrderError(CoreError, ValueError):
    """An order or fill is malformed or inconsistent with the order it refers to."""


class InvalidOrderTransition(CoreError):
    """An order event would move an order along a transition the state table forbids."""

    def __init__(self, client_order_id: str, current: str, target: str) -> None:
        super().__init__(f"order {client_order_id}: illegal transition {current} -> {target}")
        self.client_order_id = client_order_id
        self.current = current
        self.target = target


class PipelineError(CoreError, RuntimeError):
    """A portfolio pipeline was driven out of its life cycle (e.g. fed before start)."""
