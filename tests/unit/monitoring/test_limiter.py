"""Upstream: (entry point: pytest)
Downstream: monitoring.notifications.limiter
Role: NoticeLimiter with a test clock: one notice per key per interval, the held-back ones counted into the next notice's text, keys independent, a clock gone back."""

from datetime import UTC, datetime

from monitoring.notifications.limiter import Admitted, NoticeLimiter

NOON = datetime(2024, 1, 2, 12, 0, 0, tzinfo=UTC).timestamp()


class Clock:
    def __init__(self) -> None:
        self.now = NOON

    def __call__(self) -> float:
        return self.now


def test_a_key_goes_out_once_per_interval_and_the_next_one_counts_what_was_held_back():
    clock = Clock()
    limiter = NoticeLimiter(interval=60, clock=clock)

    first = limiter.admit("rule")
    held = []
    for _ in range(41):
        clock.now += 1
        held.append(limiter.admit("rule"))
    clock.now = NOON + 60
    next_one = limiter.admit("rule")
    clock.now += 1
    after = limiter.admit("rule")

    assert first == Admitted(0, None)
    assert held == [None] * 41
    assert next_one == Admitted(41, NOON)
    assert next_one.suffix() == " (and 41 more since 12:00:00 UTC)"
    assert after is None


def test_a_notice_with_nothing_held_back_has_no_suffix():
    clock = Clock()
    limiter = NoticeLimiter(interval=60, clock=clock)

    limiter.admit("rule")
    clock.now += 600
    quiet = limiter.admit("rule")

    assert quiet == Admitted(0, NOON)
    assert quiet.suffix() == ""


def test_keys_are_limited_independently():
    limiter = NoticeLimiter(interval=60, clock=Clock())

    verdicts = [
        limiter.admit(("P1", "RuleA")),
        limiter.admit(("P1", "RuleB")),
        limiter.admit(("P2", "RuleA")),
        limiter.admit(("P1", "RuleA")),
    ]

    assert [verdict is not None for verdict in verdicts] == [True, True, True, False]


def test_a_clock_that_went_back_lets_the_next_notice_out():
    clock = Clock()
    limiter = NoticeLimiter(interval=60, clock=clock)

    limiter.admit("rule")
    clock.now -= 3600
    again = limiter.admit("rule")

    assert again == Admitted(0, NOON)
