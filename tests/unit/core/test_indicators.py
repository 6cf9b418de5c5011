"""Upstream: (entry point: pytest)
Downstream: trading.core.strategies.indicators
Role: the exact moving average and Wilder's RSI, including their checkpointed state."""

import json
from decimal import Decimal

import pytest

from trading.core.strategies.indicators import MovingAverage, WilderRsi


def _d(*values: str | int) -> list[Decimal]:
    return [Decimal(v) for v in values]


def test_moving_average_is_ready_after_period_values_and_then_rolls() -> None:
    average = MovingAverage(3)

    readiness = [average.update(v) for v in _d(1, 2, 3, 10)]

    assert readiness == [False, False, True, True]
    assert average.value == 5  # (2 + 3 + 10) / 3


def test_moving_average_compares_exactly_even_for_repeating_decimals() -> None:
    average = MovingAverage(3)
    for value in _d("0.1", "0.2", "0.4"):
        average.update(value)

    # The mean 0.7/3 has no finite decimal form, yet comparisons stay exact.
    assert average.compare(Decimal("0.2333333333")) == -1
    assert average.compare(Decimal("0.2333333334")) == 1
    average.update(Decimal("0.3"))
    assert average.compare(Decimal("0.3")) == 0


def test_moving_average_state_round_trips_through_json() -> None:
    original, copy = MovingAverage(3), MovingAverage(3)
    for value in _d("1.5", "2.25", "3"):
        original.update(value)

    copy.set_state(json.loads(json.dumps(original.get_state())))
    original.update(Decimal(4))
    copy.update(Decimal(4))

    assert (copy.total, copy.value) == (original.total, original.value)


def test_rsi_is_none_until_period_changes_are_seen() -> None:
    rsi = WilderRsi(3)

    values = [rsi.update(v) for v in _d(10, 11, 12)]

    assert values == [None, None, None]
    assert rsi.update(Decimal(13)) == 100.0


def test_rsi_of_a_flat_price_is_fifty() -> None:
    rsi = WilderRsi(2)

    values = [rsi.update(v) for v in _d(5, 5, 5, 5)]

    assert values[-1] == 50.0


def test_rsi_uses_wilder_smoothing_after_the_first_average() -> None:
    rsi = WilderRsi(2)
    for value in _d(10, 12, 11):  # changes +2, -1: first averages 1.0 and 0.5
        rsi.update(value)

    value = rsi.update(Decimal(10))  # change -1: gain (1*1 + 0)/2 = .5, loss (.5*1 + 1)/2 = .75

    assert value == pytest.approx(100 - 100 / (1 + 0.5 / 0.75))


def test_rsi_state_round_trips_through_json() -> None:
    original, copy = WilderRsi(3), WilderRsi(3)
    for value in _d(10, 12, 11, 13, 12):
        original.update(value)

    copy.set_state(json.loads(json.dumps(original.get_state())))

    assert copy.update(Decimal(14)) == original.update(Decimal(14))
