"""Upstream: (entry point: pytest)
Downstream: trading.core.clock, trading.core.errors
Role: the injected clock: TestClock moves only when told to and never backwards."""

from datetime import UTC, datetime, timedelta

import pytest

from trading.core.clock import DAWN_OF_TIME, TestClock
from trading.core.errors import CoreError

T = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)


def test_test_clock_starts_at_the_dawn_of_time_so_any_history_can_follow() -> None:
    clock = TestClock()

    clock.set(datetime(1800, 1, 1, tzinfo=UTC))

    assert datetime(1, 1, 1, tzinfo=UTC) == DAWN_OF_TIME
    assert clock.now().year == 1800


def test_set_moves_the_clock_to_the_given_time() -> None:
    clock = TestClock()

    clock.set(T)

    assert clock.now() == T


def test_advance_moves_forward_by_the_delta() -> None:
    clock = TestClock(T)

    now = clock.advance(timedelta(minutes=5))

    assert now == clock.now() == T + timedelta(minutes=5)


def test_setting_an_earlier_time_is_refused() -> None:
    clock = TestClock(T)

    with pytest.raises(CoreError, match="cannot go back"):
        clock.set(T - timedelta(seconds=1))
    assert clock.now() == T


def test_a_naive_start_time_is_refused() -> None:
    with pytest.raises(CoreError, match="timezone-aware"):
        TestClock(datetime(2024, 1, 1))
