"""Upstream: (entry point: pytest)
Downstream: trading.core.backtest.metrics, trading.core.testing.builders
Role: the statistics of a run against values computed by hand: drawdown and its dates, daily returns, Sharpe, Sortino, CAGR, exposure, win rate and average win/loss."""

import math
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from trading.core.backtest.metrics import (
    NO_DRAWDOWN,
    Drawdown,
    EquityCurve,
    EquitySeries,
    RoundTrip,
    cagr,
    daily_returns,
    drawdown_curve,
    max_drawdown,
    run_statistics,
    sharpe,
    sortino,
)
from trading.core.testing.builders import T0

CAPITAL = Decimal(100)


def _series(*points: tuple[datetime, object] | tuple[datetime, object, object]) -> EquitySeries:
    """A curve of (time, equity[, cash]) points, all in cash unless cash is given."""
    return EquitySeries(
        tuple(point[0] for point in points),
        tuple(Decimal(point[1]) for point in points),
        tuple(Decimal(point[-1]) for point in points),
    )


def _hourly(*equities: object) -> EquitySeries:
    """One point an hour from T0, each all in cash unless given as (equity, cash)."""
    return _series(
        *(
            (_at(hour), *(value if isinstance(value, tuple) else (value,)))
            for hour, value in enumerate(equities)
        )
    )


def _at(hour: int) -> datetime:
    return T0 + timedelta(hours=hour)


def test_the_curve_keeps_the_last_equity_of_each_event_time() -> None:
    curve = EquityCurve()
    curve.record(T0, Decimal(100), Decimal(100))
    curve.record(T0, Decimal(101), Decimal(50))
    curve.record(T0 + timedelta(days=1), Decimal(102), Decimal(50))

    assert curve.series() == _series((T0, 101, 50), (T0 + timedelta(days=1), 102, 50))


def test_max_drawdown_is_the_deepest_fall_with_its_peak_trough_and_recovery() -> None:
    # Peaks 120 then 130: falls of 30/120 = 25% and 26/130 = 20%.
    curve = _hourly(120, 90, 130, 104, 125)

    assert max_drawdown(CAPITAL, curve) == Drawdown(0.25, _at(0), _at(1), _at(2))


def test_a_fall_from_the_start_is_measured_from_the_initial_capital() -> None:
    curve = _hourly(95, 80, 100)

    assert max_drawdown(CAPITAL, curve) == Drawdown(0.2, _at(0), _at(1), _at(2))


def test_a_drawdown_not_yet_recovered_has_no_recovery_date() -> None:
    curve = _hourly(110, 99, 105)

    assert max_drawdown(CAPITAL, curve) == Drawdown(0.1, _at(0), _at(1), None)


def test_a_curve_that_never_falls_has_no_drawdown() -> None:
    assert max_drawdown(CAPITAL, _hourly(100, 101, 102)) == NO_DRAWDOWN
    assert max_drawdown(CAPITAL, EquitySeries()) == NO_DRAWDOWN


def test_the_drawdown_curve_is_the_fall_below_the_running_peak() -> None:
    values = [Decimal(v) for v in (120, 90, 130, 104)]

    assert drawdown_curve(CAPITAL, values) == pytest.approx([0.0, 0.25, 0.0, 0.2])


def test_daily_returns_use_each_days_last_equity_starting_from_the_capital() -> None:
    curve = _series(
        (T0, 105),
        (T0 + timedelta(hours=1), 110),
        (T0 + timedelta(days=1), 99),
        (T0 + timedelta(days=2), "108.9"),
    )

    assert daily_returns(CAPITAL, curve) == pytest.approx([0.1, -0.1, 0.1])


def test_sharpe_and_sortino_of_plus_minus_plus_ten_percent() -> None:
    returns = [0.1, -0.1, 0.1]

    # mean 1/30; sample deviation sqrt(1/75): mean/deviation = 1/sqrt(12), times sqrt(252).
    assert sharpe(returns) == pytest.approx(math.sqrt(21))
    # downside deviation sqrt(0.01/3): mean/downside = 1/sqrt(3), times sqrt(252).
    assert sortino(returns) == pytest.approx(math.sqrt(84))


def test_sharpe_and_sortino_are_undefined_without_enough_or_bad_returns() -> None:
    assert sharpe([0.1]) is None
    assert sharpe([0.0, 0.0, 0.0]) is None
    assert sortino([0.1]) is None
    assert sortino([0.1, 0.2]) is None


def test_cagr_compounds_to_the_total_return_over_the_span() -> None:
    # Exactly two years of 365.25 days; 100 -> 121 is 10% a year.
    curve = _series((T0, 100), (T0 + timedelta(days=730, hours=12), 121))

    assert cagr(CAPITAL, curve) == pytest.approx(0.1)


def test_cagr_is_undefined_for_less_than_a_day_or_nothing_left() -> None:
    day = _hourly(*range(100, 124))
    ruined = _series((T0, 100), (T0 + timedelta(days=400), 0))

    assert cagr(CAPITAL, day) is None
    assert cagr(CAPITAL, ruined) is None
    assert cagr(CAPITAL, EquitySeries()) is None


def test_run_statistics_count_round_trips_wins_losses_and_exposure() -> None:
    # In the market on the two middle bars (equity differs from cash).
    curve = _hourly(100, (103, 3), (107, 7), 110)
    trips = [
        RoundTrip("AAA", _at(1), Decimal(30)),
        RoundTrip("AAA", _at(2), Decimal(-10)),
        RoundTrip("BBB", _at(3), Decimal(10)),
        RoundTrip("BBB", _at(3), Decimal(0)),
    ]

    stats = run_statistics(CAPITAL, curve, trips)

    assert stats.total_return == pytest.approx(0.1)
    assert (stats.round_trips, stats.win_rate) == (4, 0.5)
    assert (stats.average_win, stats.average_loss) == (Decimal(20), Decimal(-10))
    assert stats.exposure == 0.5
    assert stats.max_drawdown == NO_DRAWDOWN
    assert stats.cagr is None


def test_a_run_without_bars_or_trips_has_no_ratios() -> None:
    stats = run_statistics(CAPITAL, EquitySeries(), [])

    assert stats.total_return == 0
    assert (stats.win_rate, stats.average_win, stats.average_loss) == (None, None, None)
    assert (stats.exposure, stats.sharpe, stats.sortino, stats.cagr) == (None, None, None, None)


def test_the_json_form_names_every_statistic() -> None:
    stats = run_statistics(CAPITAL, _hourly(120, 90, 130), [RoundTrip("A", T0, Decimal(-5))])

    data = stats.to_dict()

    assert data["max_drawdown"] == 0.25
    assert data["max_drawdown_peak"] == T0.isoformat()
    assert data["max_drawdown_recovered"] == _at(2).isoformat()
    assert (data["average_win"], data["average_loss"]) == (None, "-5")
    assert set(data) == {
        "return", "cagr", "max_drawdown", "max_drawdown_peak", "max_drawdown_trough",
        "max_drawdown_recovered", "sharpe", "sortino", "round_trips", "win_rate",
        "average_win", "average_loss", "exposure",
    }  # fmt: skip
