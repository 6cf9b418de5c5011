"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack, tests.integration.storage.factories, trading.models, trading.core.accounting.portfolio, trading.services.hot_positions, trading.storage.hot_positions
Role: hot positions: written to Redis as fills apply, read from Redis, rebuilt from the database (and re-warmed) when Redis lost them or is down; never rolled back."""

from decimal import Decimal

import pytest

from ginkgo_site.devstack import free_port
from tests.integration.storage import factories
from trading import models
from trading.core.accounting.portfolio import Portfolio as Ledger
from trading.services.hot_positions import (
    hot_positions_read,
    hot_positions_write,
    positions_from_database,
)
from trading.storage.hot_positions import PositionsSnapshot, positions_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def traded(redis_prefix) -> str:
    """Portfolio alpha with three fills in the database, nothing in Redis."""
    alpha = factories.portfolio("alpha", capital="10000")
    factories.fill(alpha, 1, quantity="10", price="100")
    factories.fill(alpha, 2, quantity="5", price="110", symbol="MSFT")
    factories.fill(alpha, 3, side="sell", quantity="4", price="105", commission="0.5")
    return "alpha"


def test_a_written_snapshot_is_read_back_from_redis(traded):
    snapshot = positions_from_database(portfolio_id=traded)

    written = hot_positions_write(portfolio_id=traded, snapshot=snapshot)
    read = hot_positions_read(portfolio_id=traded)

    assert written
    assert (read.source, read.snapshot) == ("redis", snapshot)
    assert read.snapshot.position("AAPL").quantity == Decimal(6)
    assert read.snapshot.position("AAPL").avg_price == Decimal(100)


def test_positions_rebuilt_from_the_database_match_the_ledger(traded):
    snapshot = positions_from_database(portfolio_id=traded)

    assert snapshot.fills == 3
    assert snapshot.cash == Decimal("10000") - 1000 - 550 + 420 - Decimal("2.5")
    assert [p.symbol for p in snapshot.positions] == ["AAPL", "MSFT"]
    assert snapshot.position("AAPL").realised_pnl == Decimal(20)


def test_positions_lost_by_redis_are_served_from_the_database_and_re_warmed(traded, redis_client):
    hot_positions_write(portfolio_id=traded, snapshot=positions_from_database(portfolio_id=traded))
    redis_client.delete(positions_key(traded))  # Redis restarted empty

    first = hot_positions_read(portfolio_id=traded)
    second = hot_positions_read(portfolio_id=traded)

    assert first.source == "database"
    assert second.source == "redis"
    assert second.snapshot == first.snapshot


def test_with_redis_down_reads_come_from_the_database_and_writes_report_failure(settings, traded):
    snapshot = positions_from_database(portfolio_id=traded)
    up = settings.REDIS_URL
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

    written = hot_positions_write(portfolio_id=traded, snapshot=snapshot)
    read_while_down = hot_positions_read(portfolio_id=traded)
    settings.REDIS_URL = up
    read_after = hot_positions_read(portfolio_id=traded)

    assert not written
    assert (read_while_down.source, read_while_down.snapshot) == ("database", snapshot)
    assert read_after.source == "database"  # Redis is back: this read re-warmed it
    assert hot_positions_read(portfolio_id=traded).source == "redis"


def test_an_older_snapshot_never_replaces_a_newer_one(redis_prefix):
    ledger = Ledger(Decimal(1000))
    newer = PositionsSnapshot.of(ledger, fills=5, as_of=None)
    older = PositionsSnapshot(Decimal(1000), Decimal(1), Decimal(0), 4, None, ())

    hot_positions_write(portfolio_id="p", snapshot=newer)
    hot_positions_write(portfolio_id="p", snapshot=older)

    assert hot_positions_read(portfolio_id="p").snapshot == newer


def test_closed_positions_disappear_from_redis_with_the_next_snapshot(traded):
    with_two = positions_from_database(portfolio_id=traded)
    with_one = PositionsSnapshot(
        with_two.initial_capital,
        with_two.cash,
        with_two.commissions,
        4,
        with_two.as_of,
        with_two.positions[:1],
    )

    hot_positions_write(portfolio_id=traded, snapshot=with_two)
    hot_positions_write(portfolio_id=traded, snapshot=with_one)

    assert [p.symbol for p in hot_positions_read(portfolio_id=traded).snapshot.positions] == [
        "AAPL"
    ]


def test_an_unknown_portfolio_is_not_found(redis_prefix):
    with pytest.raises(models.Portfolio.DoesNotExist):
        hot_positions_read(portfolio_id="nope")
