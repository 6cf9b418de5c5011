"""Upstream: (entry point: pytest)
Downstream: trading.core.testing.builders, trading.storage.timestamps
Role: ClickHouse time handling: epoch seconds within DateTime's range, [start, end) filters in epoch numbers, microsecond bounds."""

from datetime import UTC, datetime

import pytest

from trading.core.testing.builders import utc
from trading.storage.timestamps import epoch_seconds, from_epoch, time_range


def test_a_time_before_1970_cannot_be_stored():
    with pytest.raises(ValueError, match="outside 1970-01-01"):
        epoch_seconds(datetime(1969, 12, 31, tzinfo=UTC))


def test_epoch_seconds_round_trip_with_microseconds():
    when = utc("2024-03-01T10:00:01.250000")

    assert from_epoch(epoch_seconds(when), when.microsecond) == when


def test_whole_second_rows_in_a_range_bounded_inside_seconds():
    params: dict = {}

    conditions = time_range(
        "time", utc("2024-01-01T00:00:00.5"), utc("2024-01-02T00:00:00.5"), params
    )

    start, end = int(utc("2024-01-01").timestamp()), int(utc("2024-01-02").timestamp())
    assert conditions == ["time > toDateTime(%(start_s)s)", "time < toDateTime(%(end_s)s)"]
    assert (params["start_s"], params["end_s"]) == (start, end + 1)


def test_microsecond_rows_get_an_exact_condition_after_the_coarse_one():
    params: dict = {}

    conditions = time_range(
        "at", None, utc("2024-01-01T00:00:00.000001"), params, micros_column="us"
    )

    assert conditions == [
        "at <= toDateTime(%(end_s)s)",
        "(toUInt64(at) * 1000000 + us) < %(end_us)s",
    ]
    assert params["end_us"] == int(utc("2024-01-01").timestamp()) * 1_000_000 + 1


def test_bounds_before_1970_are_clamped_to_the_first_second():
    params: dict = {}

    time_range("time", datetime(1960, 1, 1, tzinfo=UTC), None, params)

    assert params["start_s"] == 0
