"""Upstream: monitoring.notifications.dispatch
Downstream: (none)
Role: SinkThrottle: per sink, a group's repeats at most once per repeat interval, and at most N deliveries a minute overall."""

import time
from collections import deque
from collections.abc import Callable, Hashable
from enum import StrEnum

RATE_WINDOW_SECONDS = 60.0
# Beyond this many remembered groups, those past their repeat interval are forgotten.
PRUNE_ABOVE = 1000


class Verdict(StrEnum):
    """What a sink does with one occurrence."""

    SEND = "send"
    GROUPED = "grouped"
    RATE_LIMITED = "rate_limited"


class SinkThrottle:
    """Decides, for one sink, which occurrences go out; ``clock`` is monotonic seconds.

    The first occurrence of a group goes out at once; its repeats are held back (their count
    grows in the stored notice) until ``repeat_interval`` has passed since the group last went
    out, and then the next repeat carries the total. Whatever would go out beyond
    ``per_minute`` deliveries in the last minute is dropped for this sink (it stays stored).
    One caller thread.
    """

    def __init__(
        self,
        *,
        repeat_interval: float,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._repeat_interval = repeat_interval
        self._per_minute = per_minute
        self._clock = clock
        self._sent_at: dict[Hashable, float] = {}
        self._recent: deque[float] = deque()

    def admit(self, group: Hashable) -> Verdict:
        """The verdict on an occurrence of ``group`` now (counted when it is SEND)."""
        now = self._clock()
        last = self._sent_at.get(group)
        if last is not None and now - last < self._repeat_interval:
            return Verdict.GROUPED
        while self._recent and now - self._recent[0] >= RATE_WINDOW_SECONDS:
            self._recent.popleft()
        if len(self._recent) >= self._per_minute:
            return Verdict.RATE_LIMITED
        self._recent.append(now)
        self._sent_at[group] = now
        if len(self._sent_at) > PRUNE_ABOVE:
            self._prune(now)
        return Verdict.SEND

    def _prune(self, now: float) -> None:
        self._sent_at = {
            group: at for group, at in self._sent_at.items() if now - at < self._repeat_interval
        }
