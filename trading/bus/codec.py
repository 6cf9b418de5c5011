"""Upstream: bench.node_latency, bench.node_router, monitoring.services, scheduling.services.publishing, trading.apis.engine, trading.bus.consumer, trading.bus.mapping, trading.bus.producer, trading.livecore.datamanager, trading.livecore.engine, trading.node.feed, trading.node.runtime, trading.services.control
Downstream: trading.bus.messages
Role: the only place bytes become messages and back: encode, decode with typed errors, event-time conversion."""

from datetime import UTC, datetime, timedelta

import msgspec

from trading.bus.messages import AnyMessage, Message

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NS_PER_S = 1_000_000_000
_NS_PER_US = 1_000

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(AnyMessage)
_TYPES: dict[str, type[Message]] = {
    cls.__struct_config__.tag: cls  # type: ignore[misc]
    for cls in AnyMessage.__args__  # type: ignore[attr-defined]
}


class _Header(msgspec.Struct):
    """Just enough of an envelope to say why a message did not decode."""

    type: str
    schema: int


class DecodeError(ValueError):
    """Bytes that are not a message of this bus; the message says why in one line."""


class MalformedMessage(DecodeError):
    """Not JSON, not an object, or a known type whose fields do not validate."""


class UnknownMessageType(DecodeError):
    """A well-formed envelope whose ``type`` this code does not know."""


class UnsupportedSchema(DecodeError):
    """A known type in a schema version this code cannot read."""


def encode(message: Message) -> bytes:
    """The wire form of ``message``."""
    return _encoder.encode(message)


def decode(data: bytes) -> AnyMessage:
    """The message ``data`` holds; raises a DecodeError subclass saying what is wrong."""
    try:
        message: AnyMessage = _decoder.decode(data)
    except msgspec.DecodeError as exc:
        raise _diagnose(data, exc) from None
    if message.schema not in message.SCHEMAS:
        raise UnsupportedSchema(f"{_tag(message)} schema {message.schema} is not supported")
    return message


def type_names() -> frozenset[str]:
    """Every ``type`` value the bus knows."""
    return frozenset(_TYPES)


def to_ns(time: datetime) -> int:
    """Epoch nanoseconds of an aware datetime (exact: integer arithmetic only)."""
    if time.tzinfo is None:
        raise ValueError(f"event times must be timezone-aware, got {time.isoformat()}")
    delta = time - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * _NS_PER_S + delta.microseconds * _NS_PER_US


def from_ns(ns: int) -> datetime:
    """The aware UTC datetime of epoch nanoseconds (datetimes keep microseconds)."""
    return _EPOCH + timedelta(microseconds=ns // _NS_PER_US)


def _tag(message: Message) -> str:
    return str(message.__struct_config__.tag)


def _diagnose(data: bytes, error: msgspec.DecodeError) -> DecodeError:
    # The fast path decodes straight into the tagged union; only failures pay for this.
    try:
        header = msgspec.json.decode(data, type=_Header)
    except msgspec.DecodeError:
        return MalformedMessage(f"not a message envelope: {error}")
    cls = _TYPES.get(header.type)
    if cls is None:
        return UnknownMessageType(f"unknown message type {header.type!r}")
    if header.schema not in cls.SCHEMAS:
        return UnsupportedSchema(f"{header.type} schema {header.schema} is not supported")
    return MalformedMessage(f"invalid {header.type}: {error}")
