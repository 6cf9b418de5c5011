"""Upstream: (entry point: pytest)
Downstream: trading.core.enums, trading.core.errors, trading.core.orders.events, trading.core.orders.state, trading.core.testing.builders
Role: the order state machine: every legal transition, every illegal one, fills, idempotency."""

import json
from decimal import Decimal
from itertools import product

import pytest

from trading.core.enums import OrderStatus as S
from trading.core.enums import Side
from trading.core.errors import InvalidOrderTransition, OrderError
from trading.core.orders.events import (
    ExecutionReport,
    OrderAccepted,
    OrderCancelled,
    OrderExpired,
    OrderRejected,
)
from trading.core.orders.state import TrackedOrder
from trading.core.testing.builders import T0, fill, order

# The life cycle as the spec states it, written out independently of the implementation;
# a working order may still be rejected when it would fill (buying power at the fill price).
LEGAL = {
    (S.NEW, S.SUBMITTED),
    (S.SUBMITTED, S.ACCEPTED),
    (S.SUBMITTED, S.REJECTED),
    (S.SUBMITTED, S.CANCELLED),
    (S.SUBMITTED, S.PARTIALLY_FILLED),
    (S.SUBMITTED, S.FILLED),
    (S.ACCEPTED, S.PARTIALLY_FILLED),
    (S.ACCEPTED, S.FILLED),
    (S.ACCEPTED, S.REJECTED),
    (S.ACCEPTED, S.CANCELLED),
    (S.ACCEPTED, S.EXPIRED),
    (S.PARTIALLY_FILLED, S.PARTIALLY_FILLED),
    (S.PARTIALLY_FILLED, S.FILLED),
    (S.PARTIALLY_FILLED, S.REJECTED),
    (S.PARTIALLY_FILLED, S.CANCELLED),
    (S.PARTIALLY_FILLED, S.EXPIRED),
}
_fills = iter(range(1, 1_000_000))


def _move(tracked: TrackedOrder, target: S) -> None:
    """Drive ``tracked`` toward ``target`` with the event that means it."""
    oid = tracked.client_order_id
    reports: dict[S, ExecutionReport] = {
        S.ACCEPTED: OrderAccepted(oid, T0),
        S.REJECTED: OrderRejected(oid, "no", T0),
        S.CANCELLED: OrderCancelled(oid, T0),
        S.EXPIRED: OrderExpired(oid, T0),
        S.PARTIALLY_FILLED: fill(quantity=1, fill_id=f"F-{next(_fills)}"),
        S.FILLED: fill(quantity=max(tracked.leaves_quantity, 1), fill_id=f"F-{next(_fills)}"),
    }
    if target is S.SUBMITTED:
        tracked.submit()
    else:
        tracked.apply(reports[target])


def _order_in(status: S) -> TrackedOrder:
    tracked = TrackedOrder(order(quantity=10))
    path = {
        S.NEW: [],
        S.SUBMITTED: [S.SUBMITTED],
        S.ACCEPTED: [S.SUBMITTED, S.ACCEPTED],
        S.PARTIALLY_FILLED: [S.SUBMITTED, S.ACCEPTED, S.PARTIALLY_FILLED],
        S.FILLED: [S.SUBMITTED, S.ACCEPTED, S.FILLED],
        S.REJECTED: [S.SUBMITTED, S.REJECTED],
        S.CANCELLED: [S.SUBMITTED, S.CANCELLED],
        S.EXPIRED: [S.SUBMITTED, S.ACCEPTED, S.EXPIRED],
    }[status]
    for step in path:
        _move(tracked, step)
    assert tracked.status is status
    return tracked


@pytest.mark.parametrize(("current", "target"), sorted(LEGAL))
def test_legal_transition_moves_the_order(current: S, target: S) -> None:
    tracked = _order_in(current)

    _move(tracked, target)

    assert tracked.status is target


ILLEGAL = sorted((a, b) for a, b in product(S, S) if (a, b) not in LEGAL and b is not S.NEW)


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_illegal_transition_raises_naming_states_and_order(current: S, target: S) -> None:
    tracked = _order_in(current)
    filled_before = tracked.filled_quantity

    with pytest.raises(InvalidOrderTransition) as error:
        _move(tracked, target)

    # A fill on a FILLED order would overfill it, so its computed target is PARTIALLY_FILLED.
    shown = S.PARTIALLY_FILLED if (current, target) == (S.FILLED, S.FILLED) else target
    assert str(error.value) == f"order P1-0-1: illegal transition {current.name} -> {shown.name}"
    assert tracked.status is current
    assert tracked.filled_quantity == filled_before


def test_a_new_order_has_everything_left_and_no_average_price() -> None:
    tracked = TrackedOrder(order(quantity=10))

    assert (tracked.status, tracked.leaves_quantity, tracked.avg_price) == (S.NEW, 10, None)


def test_partial_then_final_fill_tracks_quantities_and_weighted_average() -> None:
    tracked = _order_in(S.ACCEPTED)

    tracked.apply(fill(quantity=4, price=100, fill_id="F-a"))
    assert (tracked.status, tracked.filled_quantity, tracked.leaves_quantity) == (
        S.PARTIALLY_FILLED,
        4,
        6,
    )
    tracked.apply(fill(quantity=6, price=105, fill_id="F-b"))

    assert tracked.status is S.FILLED
    assert tracked.is_closed
    assert tracked.leaves_quantity == 0
    assert tracked.avg_price == Decimal(103)


def test_applying_the_same_fill_twice_changes_nothing() -> None:
    tracked = _order_in(S.ACCEPTED)
    first = fill(quantity=3, fill_id="F-dup")

    assert tracked.apply(first) is True
    assert tracked.apply(first) is False

    assert (tracked.status, tracked.filled_quantity) == (S.PARTIALLY_FILLED, 3)


def test_a_fill_larger_than_what_is_left_is_refused() -> None:
    tracked = _order_in(S.ACCEPTED)

    with pytest.raises(OrderError, match="overfills"):
        tracked.apply(fill(quantity=11))
    assert tracked.status is S.ACCEPTED


def test_a_fill_for_another_order_or_side_is_refused() -> None:
    tracked = _order_in(S.ACCEPTED)

    with pytest.raises(OrderError, match="does not match"):
        tracked.apply(fill(Side.SELL, quantity=1))
    with pytest.raises(OrderError, match="does not match"):
        tracked.apply(fill(quantity=1, client_order_id="P1-0-99"))


def test_rejection_and_cancellation_keep_their_reason() -> None:
    rejected, cancelled = _order_in(S.SUBMITTED), _order_in(S.ACCEPTED)

    rejected.apply(OrderRejected("P1-0-1", "insufficient margin", T0))
    cancelled.apply(OrderCancelled("P1-0-1", T0, "user asked"))

    assert (rejected.reason, cancelled.reason) == ("insufficient margin", "user asked")


def test_snapshot_survives_json_and_restores_the_same_state() -> None:
    tracked = _order_in(S.ACCEPTED)
    tracked.apply(fill(quantity=4, price=101, fill_id="F-s"))

    restored = TrackedOrder.from_snapshot(json.loads(json.dumps(tracked.snapshot())))

    assert restored.order == tracked.order
    assert (restored.status, restored.filled_quantity, restored.avg_price) == (
        S.PARTIALLY_FILLED,
        4,
        101,
    )
    assert restored.apply(fill(quantity=4, price=101, fill_id="F-s")) is False
