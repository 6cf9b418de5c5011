"""Upstream: (entry point: pytest)
Downstream: tests.integration.livecore.conftest, trading.livecore.readiness, trading.models, trading.redis_store
Role: a replay's start line against real PostgreSQL and Redis: the source waits until every portfolio meant to run on its market runs and wants its symbols, and no longer than told."""

import threading

import pytest

from tests.integration.livecore.conftest import make_portfolio
from trading.livecore.readiness import await_running, portfolios_meant_to_run
from trading.models import DesiredState, Portfolio
from trading.redis_store import portfolio_status_key

pytestmark = pytest.mark.django_db


def running(redis_client, *portfolio_ids: str) -> None:
    for portfolio_id in portfolio_ids:
        redis_client.hset(portfolio_status_key(portfolio_id), mapping={"status": "running"})


def test_the_source_waits_until_every_portfolio_runs_and_wants_its_symbols(redis_client):
    for portfolio_id, symbols in {"P1": ["AAA", "BBB"], "P2": ["CCC"], "P3": ["DDD"]}.items():
        make_portfolio(portfolio_id, symbols)
    Portfolio.objects.filter(pk__in=["P1", "P2"]).update(desired_state=DesiredState.RUNNING)
    running(redis_client, "P1", "P2")
    asked: list[str] = []

    def wanted(symbol: str) -> bool:
        # The nodes' interest arrives while the source waits: CCC on the third round.
        asked.append(symbol)
        return symbol != "CCC" or asked.count("CCC") >= 3

    portfolios = portfolios_meant_to_run("default")
    missing = await_running(portfolios, wanted, 30.0, threading.Event())

    assert portfolios == {"P1": ("AAA", "BBB"), "P2": ("CCC",)}
    assert missing == []
    assert asked.count("CCC") == 3


def test_a_portfolio_that_does_not_run_in_time_is_named_and_the_source_goes_on(redis_client):
    running(redis_client, "P1")

    missing = await_running(
        {"P1": ("AAA",), "P2": ("BBB",)}, lambda _: True, 0.3, threading.Event()
    )

    assert missing == ["P2"]
