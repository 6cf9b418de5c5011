"""Upstream: (entry point: pytest)
Downstream: trading.bus.codec, trading.bus.mapping, trading.core.testing.builders, trading.node.stale
Role: the stale-data guard: ticks judged by event time, bars by publish time, off when asked."""

from datetime import timedelta

from trading.bus.codec import to_ns
from trading.bus.mapping import price_message
from trading.core.testing.builders import T0, bar, tick
from trading.node.stale import NS_PER_SECOND, StaleGuard

NOW = to_ns(T0 + timedelta(days=365))


def guard(max_age: float | None = 60) -> StaleGuard:
    return StaleGuard(max_age, now_ns=lambda: NOW)


def seconds_ago(seconds: float) -> int:
    return NOW - int(seconds * NS_PER_SECOND)


def test_a_tick_is_judged_by_its_event_time() -> None:
    fresh = price_message(tick(100, time=T0 + timedelta(days=365, seconds=-59)))
    old = price_message(tick(100, time=T0 + timedelta(days=365, seconds=-61)))

    assert not guard().is_stale(fresh, published_ns=seconds_ago(1))
    assert guard().is_stale(old, published_ns=seconds_ago(1))


def test_a_replayed_bar_with_a_historical_time_is_fresh_when_just_published() -> None:
    historical = price_message(bar(100, time=T0))

    assert not guard().is_stale(historical, published_ns=seconds_ago(2))


def test_a_bar_published_long_ago_is_stale_whatever_its_time() -> None:
    recent_bar = price_message(bar(100, time=T0 + timedelta(days=365)))

    assert guard().is_stale(recent_bar, published_ns=seconds_ago(61))


def test_a_bar_without_a_publish_time_is_let_through() -> None:
    assert not guard().is_stale(price_message(bar(100, time=T0)), published_ns=None)


def test_a_disabled_guard_lets_everything_through() -> None:
    old_tick = price_message(tick(100, time=T0))

    assert not guard(None).is_stale(old_tick, published_ns=seconds_ago(3600))
    assert not guard(0).is_stale(old_tick, published_ns=seconds_ago(3600))
    assert not guard(0).enabled
