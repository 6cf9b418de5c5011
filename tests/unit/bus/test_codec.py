"""Upstream: (entry point: pytest)
Downstream: trading.bus.codec, trading.bus.mapping, trading.bus.messages, trading.core.enums, trading.core.orders.events, trading.core.testing.builders
Role: the message codec: every type round-trips, bad bytes fail with a specific error, domain mapping is lossless."""

import json
import typing
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.bus.codec import (
    MalformedMessage,
    UnknownMessageType,
    UnsupportedSchema,
    decode,
    encode,
    from_ns,
    to_ns,
    type_names,
)
from trading.bus.mapping import (
    fill_message,
    order_from_message,
    order_message,
    price_message,
    price_update,
    report_from_message,
    status_message,
)
from trading.bus.messages import (
    AnyMessage,
    CommandType,
    ControlCommand,
    DeadLetter,
    ExecutionWatermark,
    InterestSyncRequest,
    InterestUpdate,
    NodeOffline,
    NoticeLevel,
    Notification,
    OrderAcceptedReport,
    OrderCancelledReport,
    OrderCancelRequest,
    OrderExpiredReport,
    OrderFilledReport,
    OrderPartiallyFilledReport,
    OrderRejectedReport,
    OrderSubmit,
    PriceBar,
    PriceTick,
    ScheduleUpdate,
)
from trading.core.enums import OrderType, Side, TimeInForce
from trading.core.orders.events import OrderAccepted, OrderCancelled, OrderExpired, OrderRejected
from trading.core.testing.builders import bar, fill, order, tick

TS = 1_704_153_600_123_456_000
ORDER = {"client_order_id": "P1-0-1", "portfolio_id": "P1"}
FILL = {
    **ORDER,
    "fill_id": "P1-0-1:1",
    "symbol": "AAA",
    "side": Side.SELL,
    "quantity": Decimal("5"),
    "price": Decimal("101.25"),
    "commission": Decimal("0.5"),
    "filled_quantity": Decimal("5"),
    "avg_price": Decimal("101.25"),
}
SAMPLES: list[AnyMessage] = [
    PriceBar(
        ts=TS,
        symbol="AAA",
        open=Decimal("10.00"),
        high=Decimal("11"),
        low=Decimal("9.5"),
        close=Decimal("10.5"),
        volume=Decimal(1200),
        interval="1d",
    ),
    PriceTick(ts=TS, source="dm", symbol="AAA", price=Decimal("10.01"), size=Decimal(300)),
    OrderSubmit(
        ts=TS,
        **ORDER,
        symbol="AAA",
        side=Side.BUY,
        quantity=Decimal(10),
        order_type=OrderType.STOP_LIMIT,
        limit_price=Decimal("10.5"),
        stop_price=Decimal(10),
        time_in_force=TimeInForce.GTD,
        expire_at=TS + 10**9,
        tag="x",
    ),
    OrderCancelRequest(ts=TS, **ORDER, reason="changed my mind"),
    OrderAcceptedReport(ts=TS, **ORDER),
    OrderRejectedReport(ts=TS, **ORDER, reason="engine stopped"),
    OrderPartiallyFilledReport(ts=TS, **{**FILL, "leaves_quantity": Decimal(5)}),
    OrderFilledReport(ts=TS, **{**FILL, "leaves_quantity": Decimal(0)}),
    OrderCancelledReport(ts=TS, **ORDER, reason="cancelled on request"),
    OrderExpiredReport(ts=TS, **ORDER),
    ControlCommand(
        ts=TS,
        command_type=CommandType.PORTFOLIO_RELOAD,
        target_id="P1",
        config={"symbols": ["AAA"], "capital": "1000"},
        version=3,
        reason="tuned",
    ),
    ScheduleUpdate(ts=TS, node_id="n1", portfolio_ids=["P1", "P2"]),
    InterestUpdate(ts=TS, node_id="n1", symbols=["AAA", "BBB"]),
    InterestSyncRequest(ts=TS, source="livecore:paper"),
    NodeOffline(ts=TS, node_id="n1", reason="stopped"),
    Notification(ts=TS, level=NoticeLevel.WARNING, message="queue 70% full", portfolio_id="P1"),
    ExecutionWatermark(ts=TS, **ORDER, symbol="AAA"),
    DeadLetter(
        ts=TS,
        reason="undecodable",
        topic="t",
        partition=2,
        offset=9,
        original=b"\x00\xff",
        original_key=b"AAA",
    ),
]


def test_the_samples_cover_every_message_type():
    assert {json.loads(encode(message))["type"] for message in SAMPLES} == type_names()


@pytest.mark.parametrize("message", SAMPLES, ids=lambda m: type(m).__name__)
def test_every_type_round_trips_through_its_wire_form(message):
    wire = encode(message)

    assert decode(wire) == message
    envelope = json.loads(wire)
    assert (envelope["schema"], envelope["ts"]) == (1, TS)
    assert list(envelope)[:4] == ["type", "schema", "ts", "source"]


def test_decimals_travel_as_exact_strings_and_bytes_as_base64():
    wire = json.loads(encode(SAMPLES[0])), json.loads(encode(SAMPLES[-1]))

    assert wire[0]["open"] == "10.00"
    assert wire[1]["original"] == "AP8="


@pytest.mark.parametrize(
    ("message", "key"),
    [
        (SAMPLES[1], "AAA"),
        (SAMPLES[2], "P1"),
        (SAMPLES[7], "P1"),
        (SAMPLES[10], "P1"),
        (SAMPLES[11], "n1"),
        (SAMPLES[13], None),
        (SAMPLES[15], "P1"),
        (SAMPLES[16], "P1"),
    ],
)
def test_the_kafka_key_follows_the_contract(message, key):
    assert message.key() == key


@pytest.mark.parametrize(
    ("wire", "error", "says"),
    [
        (b"", MalformedMessage, "not a message envelope"),
        (b"\xff\xfe garbage", MalformedMessage, "not a message envelope"),
        (b"[1, 2]", MalformedMessage, "not a message envelope"),
        (b'{"type": "price.candle", "schema": 1, "ts": 1}', UnknownMessageType, "price.candle"),
        (
            b'{"type": "price.tick", "schema": 2, "ts": 1, "symbol": "A", "price": "1", "size": "1"}',
            UnsupportedSchema,
            "schema 2",
        ),
        (b'{"type": "price.tick", "schema": 7, "ts": 1}', UnsupportedSchema, "schema 7"),
        (b'{"type": "price.tick", "schema": 1, "ts": 1, "symbol": "A"}', MalformedMessage, "price"),
        (
            b'{"type": "order.submit", "schema": 1, "ts": 1, "client_order_id": "c", "portfolio_id": "p",'
            b' "symbol": "A", "side": "sideways", "quantity": "1"}',
            MalformedMessage,
            "side",
        ),
    ],
)
def test_bad_bytes_fail_with_a_specific_one_line_error(wire, error, says):
    with pytest.raises(error) as raised:
        decode(wire)

    assert says in str(raised.value)
    assert "\n" not in str(raised.value)


def test_unknown_fields_are_ignored_so_producers_can_add_optional_ones():
    wire = b'{"type": "node.offline", "schema": 1, "ts": 5, "node_id": "n1", "region": "eu"}'

    assert decode(wire) == NodeOffline(ts=5, node_id="n1")


def test_event_times_convert_exactly_to_nanoseconds_and_back():
    time = datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)

    assert to_ns(time) == 1_704_164_645_678_901_000
    assert from_ns(to_ns(time)) == time
    with pytest.raises(ValueError):
        to_ns(datetime(2024, 1, 2))


@pytest.mark.parametrize(
    "time",
    [
        datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(1800, 1, 1, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=UTC),
    ],
)
def test_history_before_1970_travels_too(time):
    old = bar("10", time=time)

    assert to_ns(time) < 0
    assert price_update(decode(encode(price_message(old)))) == old


def test_domain_objects_map_to_messages_and_back_unchanged():
    the_bar, the_tick = bar("10.5", open="10", volume=900), tick("10.25", size=50)
    the_order = order(
        Side.SELL,
        3,
        order_type=OrderType.LIMIT,
        limit="11",
        time_in_force=TimeInForce.GTD,
        expire_at=datetime(2024, 2, 1, tzinfo=UTC),
    )
    the_fill = fill(Side.SELL, 3, "11", commission="1")
    reports = [
        OrderAccepted("P1-0-1", the_bar.time),
        OrderRejected("P1-0-1", "no", the_bar.time),
        OrderCancelled("P1-0-1", the_bar.time, "asked"),
        OrderExpired("P1-0-1", the_bar.time),
    ]

    assert price_update(decode(encode(price_message(the_bar)))) == the_bar
    assert price_update(decode(encode(price_message(the_tick)))) == the_tick
    assert order_from_message(decode(encode(order_message(the_order)))) == the_order
    for report in reports:
        assert report_from_message(decode(encode(status_message(report, "P1")))) == report
    filled = fill_message(
        the_fill,
        portfolio_id="P1",
        filled_quantity=Decimal(3),
        leaves_quantity=Decimal(0),
        avg_price=Decimal(11),
    )
    assert isinstance(filled, OrderFilledReport)
    assert report_from_message(decode(encode(filled))) == the_fill


# --- property: any well-typed message survives the wire -------------------------------------

_JSON_SCALARS = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=8)
_SCALARS: dict[Any, st.SearchStrategy[Any]] = {
    str: st.text(max_size=12),
    int: st.integers(-(2**63), 2**63 - 1),
    bool: st.booleans(),
    bytes: st.binary(max_size=16),
    Decimal: st.decimals(allow_nan=False, allow_infinity=False, places=None),
}


def _strategy(annotation: Any) -> st.SearchStrategy[Any]:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return st.sampled_from(list(annotation))
    if origin is list:
        return st.lists(_strategy(args[0]), max_size=4)
    if origin is dict:
        return st.dictionaries(st.text(max_size=6), _JSON_SCALARS, max_size=3)
    # X | None
    return st.one_of(*(st.none() if arg is type(None) else _strategy(arg) for arg in args))


def _message_strategy(cls: type) -> st.SearchStrategy[AnyMessage]:
    hints = typing.get_type_hints(cls)
    fields = msgspec.structs.fields(cls)
    schema = {
        f.name: st.just(1) if f.name == "schema" else _strategy(hints[f.name]) for f in fields
    }
    return st.builds(cls, **schema)


ANY_MESSAGE = st.one_of(*(_message_strategy(type(sample)) for sample in SAMPLES))


@given(ANY_MESSAGE)
def test_any_well_typed_message_round_trips(message):
    assert decode(encode(message)) == message
