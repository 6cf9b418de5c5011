"""Upstream: trading.apis.components, trading.apis.serializers, trading.services.backtests, trading.services.portfolio_config, trading.services.portfolio_verify, trading.services.replays
Downstream: trading.core.catalog, trading.core.registry
Role: the component registry the Django layer validates against, and what it offers a user interface."""

from functools import cache

from trading.core.catalog import builtin_registry
from trading.core.registry import ComponentInfo, ComponentKind, ComponentRegistry

# What a portfolio configures; cost models belong to the venue, not to the portfolio.
PORTFOLIO_KINDS = (ComponentKind.STRATEGY, ComponentKind.SIZER, ComponentKind.RISK)


@cache
def component_registry() -> ComponentRegistry:
    """The built-in registry, built once per process (it is never changed after building)."""
    return builtin_registry()


def component_list(*, kind: ComponentKind | None = None) -> list[ComponentInfo]:
    """Strategies, sizers and risk managers (or one kind of them) with their parameter specs."""
    kinds = PORTFOLIO_KINDS if kind is None else (kind,)
    return [info for k in kinds for info in component_registry().describe(k)]
