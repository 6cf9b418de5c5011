"""Upstream: (entry point: pytest)
Downstream: trading.core.enums, trading.core.errors, trading.core.orders.order, trading.core.testing.builders
Role: the Order command validates its shape; client order ids are deterministic."""

from datetime import timedelta

import pytest

from trading.core.enums import OrderType, Side, TimeInForce
from trading.core.errors import OrderError
from trading.core.orders.order import ClientOrderIds, client_order_id
from trading.core.testing.builders import T0, order


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"quantity": 0}, "quantity must be positive"),
        ({"quantity": -5}, "quantity must be positive"),
        ({"order_type": OrderType.LIMIT}, "needs a limit price"),
        ({"limit": 10}, "market order takes no limit price"),
        ({"order_type": OrderType.STOP}, "needs a stop price"),
        ({"order_type": OrderType.STOP, "stop": 10, "limit": 9}, "limit price"),
        ({"order_type": OrderType.STOP_LIMIT, "stop": 10}, "needs a limit price"),
        ({"order_type": OrderType.STOP_LIMIT, "limit": 10}, "needs a stop price"),
        ({"order_type": OrderType.LIMIT, "limit": 0}, "prices must be positive"),
        ({"time_in_force": TimeInForce.GTD}, "expire_at is required for GTD"),
        ({"expire_at": T0 + timedelta(days=1)}, "only for them"),
    ],
)
def test_malformed_orders_are_refused_with_the_order_id(kwargs: dict, problem: str) -> None:
    with pytest.raises(OrderError, match=problem) as error:
        order(**kwargs)
    assert "P1-0-1" in str(error.value)


def test_a_well_formed_stop_limit_gtd_order_is_accepted() -> None:
    built = order(
        Side.SELL,
        5,
        order_type=OrderType.STOP_LIMIT,
        stop=95,
        limit=94,
        time_in_force=TimeInForce.GTD,
        expire_at=T0 + timedelta(days=2),
    )

    assert (built.stop_price, built.limit_price) == (95, 94)


def test_client_order_id_is_built_from_portfolio_epoch_and_sequence() -> None:
    assert client_order_id("alpha", 3, 17) == "alpha-3-17"


def test_id_generator_counts_up_and_a_new_generator_repeats_the_same_ids() -> None:
    first = ClientOrderIds("alpha", 2)
    second = ClientOrderIds("alpha", 2)

    ids = [first.next(), first.next(), first.next()]

    assert ids == ["alpha-2-1", "alpha-2-2", "alpha-2-3"]
    assert second.next() == "alpha-2-1"
    assert first.next_sequence == 4


def test_id_generator_continues_from_a_saved_sequence() -> None:
    assert ClientOrderIds("alpha", 5, next_sequence=42).next() == "alpha-5-42"
