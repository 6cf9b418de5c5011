"""Upstream: (entry point: pytest)
Downstream: tests.integration.node.conftest, trading.models, trading.node.handover, trading.redis_store, trading.services.portfolio_state, (computed)
Role: the target side of a handover against real Redis and PostgreSQL: no wait when nobody holds the portfolio, a wait until the live holder's final checkpoint (periodic ones do not count), and a bounded wait when the holder never lets go."""

import threading
import time

import pytest
from django.utils import timezone

from tests.integration.node.conftest import make_portfolio
from trading.models import PortfolioCheckpoint
from trading.node.handover import PERIODIC, await_release, holder
from trading.redis_store import heartbeat_key, portfolio_status_key
from trading.services.portfolio_state import portfolio_checkpoint_save

pytestmark = pytest.mark.django_db(transaction=True)


def checkpoint(reason: str, processed: int, node_id: str = "source") -> PortfolioCheckpoint:
    return portfolio_checkpoint_save(
        portfolio_id="H1", run_epoch=1, version=1, node_id=node_id, reason=reason,
        state={}, symbol_times={}, processed=processed, last_event_time=None,
    )  # fmt: skip


@pytest.fixture
def held(redis_client):
    """H1 running on a live node ``source``."""
    make_portfolio("H1", ["HHH"])
    redis_client.hset(portfolio_status_key("H1"), mapping={"status": "running", "node": "source"})
    redis_client.set(heartbeat_key("source"), "1", ex=30)
    return redis_client


def test_nobody_holds_it_so_the_newest_checkpoint_is_taken_at_once(redis_client):
    make_portfolio("H1", ["HHH"])
    checkpoint(PERIODIC, 10)
    newest = checkpoint("migrate", 12)

    started = time.monotonic()
    found = await_release("H1", "target", timezone.now(), timeout=5.0)

    assert time.monotonic() - started < 1.0
    assert found == newest


def test_a_dead_holder_or_one_that_let_go_is_not_waited_for(held):
    assert holder("H1", "target") == "source"
    assert holder("H1", "source") is None  # itself
    held.hset(portfolio_status_key("H1"), "status", "migrating")
    assert holder("H1", "target") is None
    held.hset(portfolio_status_key("H1"), "status", "running")
    held.delete(heartbeat_key("source"))
    assert holder("H1", "target") is None


def test_the_target_waits_for_the_final_checkpoint_not_a_periodic_one(held):
    since = timezone.now()

    def source_lets_go() -> None:
        time.sleep(0.3)
        checkpoint(PERIODIC, 20)
        time.sleep(0.3)
        checkpoint("migrate", 25)

    thread = threading.Thread(target=source_lets_go)
    thread.start()
    started = time.monotonic()
    found = await_release("H1", "target", since, timeout=10.0)
    waited = time.monotonic() - started
    thread.join()

    assert (found.reason, found.processed) == ("migrate", 25)
    assert 0.5 < waited < 5.0


def test_a_holder_that_never_lets_go_is_waited_for_only_until_the_timeout(held):
    periodic = checkpoint(PERIODIC, 30)

    started = time.monotonic()
    found = await_release("H1", "target", timezone.now(), timeout=0.5)

    assert 0.5 <= time.monotonic() - started < 3.0
    assert found == periodic
