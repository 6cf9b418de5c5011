"""Upstream: (entry point: pytest)
Downstream: trading.core.codec, trading.core.enums, trading.core.orders.order, trading.core.testing.builders
Role: the primitive codec round-trips core dataclasses through JSON exactly."""

import json
from datetime import timedelta

import pytest

from trading.core.codec import from_primitive, to_primitive
from trading.core.enums import OrderType, Side, TimeInForce
from trading.core.orders.order import Order
from trading.core.testing.builders import T0, order


def test_an_order_survives_json_exactly() -> None:
    original = order(
        Side.SELL,
        "12.5",
        order_type=OrderType.STOP_LIMIT,
        stop="99.95",
        limit="99.90",
        time_in_force=TimeInForce.GTD,
        expire_at=T0 + timedelta(hours=6),
    )

    data = json.loads(json.dumps(to_primitive(original)))

    assert data["quantity"] == "12.5"
    assert data["side"] == "sell"
    assert from_primitive(Order, data) == original


def test_sets_become_sorted_lists() -> None:
    assert to_primitive({"ids": {"b", "a"}}) == {"ids": ["a", "b"]}


def test_unknown_types_are_refused() -> None:
    with pytest.raises(TypeError, match="cannot convert object"):
        to_primitive(object())
