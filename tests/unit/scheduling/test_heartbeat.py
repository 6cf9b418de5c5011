"""Upstream: (entry point: pytest)
Downstream: scheduling.plan_store
Role: reading heartbeat values: the node's JSON, bare timestamps in any unit, garbage."""

from datetime import UTC, datetime

import pytest

from scheduling.plan_store import Heartbeat, heartbeat_parse

AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
EPOCH = AT.timestamp()


def test_the_nodes_json_gives_time_host_and_start() -> None:
    raw = (
        f'{{"node_id": "n1", "ts": {EPOCH}, "pid": 7, "host": "box", '
        f'"started_at": {EPOCH - 60}, "portfolios": 2}}'
    )

    beat = heartbeat_parse(raw)

    assert beat.at == AT
    assert beat.host == "box"
    assert beat.started_at == datetime(2026, 11, 23, 11, 59, tzinfo=UTC)
    assert beat.capacity is None


@pytest.mark.parametrize(
    "capacity, expected", [(4, 4), ("7", 7), (-1, None), (True, None), ("x", None)]
)
def test_a_declared_capacity_is_taken_when_it_is_a_count(
    capacity: object, expected: int | None
) -> None:
    raw = f'{{"ts": {EPOCH}, "capacity": {capacity!r}}}'.replace("'", '"').replace("True", "true")

    assert heartbeat_parse(raw).capacity == expected


@pytest.mark.parametrize(
    "raw",
    [
        str(EPOCH),
        str(int(EPOCH * 1000)),
        str(int(EPOCH * 1_000_000_000)),
        AT.isoformat(),
        "2026-11-23T12:00:00",
    ],
    ids=["seconds", "milliseconds", "nanoseconds", "iso", "naive-iso-is-utc"],
)
def test_a_bare_timestamp_in_any_unit(raw: str) -> None:
    assert heartbeat_parse(raw) == Heartbeat(at=AT)


@pytest.mark.parametrize("raw", ["", "alive", "[1, 2]", "null", "1e400", '{"ts": "soon"}'])
def test_garbage_gives_an_empty_heartbeat(raw: str) -> None:
    assert heartbeat_parse(raw) == Heartbeat()
