"""Upstream: (entry point: pytest)
Downstream: tests.integration.bus.fixtures, trading.bus.config, trading.livecore.runtime, trading.models
Role: fixtures of the LiveCore tests: the bus fixtures, a configured portfolio, LiveCore running on threads."""

import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from tests.integration.bus.fixtures import bus, publisher, record
from trading.bus.config import BusConfig
from trading.livecore.runtime import LiveCore, LiveCoreConfig
from trading.models import Portfolio

__all__ = ["bus", "portfolio", "publisher", "record", "start_livecore"]


def make_portfolio(portfolio_id: str, symbols: list[str]) -> Portfolio:
    return Portfolio.objects.create(
        portfolio_id=portfolio_id,
        name=portfolio_id,
        symbols=symbols,
        initial_capital=Decimal(1_000_000),
        strategy={"name": "buy_and_hold", "params": {}},
    )


@pytest.fixture
def portfolio(transactional_db: None) -> Portfolio:
    """Portfolio P1 (trading AAA and BBB), committed so LiveCore's threads see it."""
    return make_portfolio("P1", ["AAA", "BBB"])


@pytest.fixture
def start_livecore(
    bus: BusConfig, redis_prefix: str, transactional_db: None
) -> Iterator[Callable[..., LiveCore]]:
    """``start_livecore(**config)`` runs a LiveCore on a thread and returns it once ready."""
    running: list[tuple[LiveCore, threading.Thread]] = []

    def start(**options: Any) -> LiveCore:
        core = LiveCore(LiveCoreConfig(**{"report_interval": 0.5, **options}), bus)
        thread = threading.Thread(target=core.run, daemon=True)
        thread.start()
        running.append((core, thread))
        assert core.ready.wait(60), "LiveCore did not become ready"
        return core

    yield start
    for core, thread in running:
        core.stop()
        thread.join(60)
        assert not thread.is_alive()
