"""Upstream: (entry point: pytest)
Downstream: monitoring.notifications.throttle
Role: SinkThrottle with a test clock: repeats held back for the repeat interval, deliveries capped per minute."""

from monitoring.notifications.throttle import SinkThrottle, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def throttle(clock: Clock, *, repeat_interval: float = 300.0, per_minute: int = 20) -> SinkThrottle:
    return SinkThrottle(repeat_interval=repeat_interval, per_minute=per_minute, clock=clock)


def test_a_group_goes_out_once_then_its_repeats_wait_for_the_repeat_interval():
    clock = Clock()
    sink = throttle(clock, repeat_interval=300)

    first = sink.admit("g1")
    clock.now += 299
    held = sink.admit("g1")
    clock.now += 1
    again = sink.admit("g1")

    assert (first, held, again) == (Verdict.SEND, Verdict.GROUPED, Verdict.SEND)


def test_groups_are_held_back_independently():
    clock = Clock()
    sink = throttle(clock)

    verdicts = [sink.admit("g1"), sink.admit("g2"), sink.admit("g1")]

    assert verdicts == [Verdict.SEND, Verdict.SEND, Verdict.GROUPED]


def test_deliveries_beyond_the_rate_are_refused_until_the_minute_has_passed():
    clock = Clock()
    sink = throttle(clock, per_minute=2)

    verdicts = [sink.admit(group) for group in ("a", "b", "c")]
    clock.now += 60
    later = sink.admit("c")

    assert verdicts == [Verdict.SEND, Verdict.SEND, Verdict.RATE_LIMITED]
    assert later == Verdict.SEND


def test_a_refused_group_is_not_held_back_as_a_repeat():
    clock = Clock()
    sink = throttle(clock, per_minute=1)
    sink.admit("a")

    refused = sink.admit("b")
    clock.now += 61
    retried = sink.admit("b")

    assert (refused, retried) == (Verdict.RATE_LIMITED, Verdict.SEND)
