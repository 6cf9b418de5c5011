"""Upstream: trading.livecore.engine, trading.node.output, trading.node.processor
Downstream: (none)
Role: NoticeLimiter: a publisher's own throttle (nodes, LiveCore): one notice per key per interval, the ones held back counted for the next one's text."""

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime

REPEAT_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Admitted:
    """A notice let out: how many of its key were held back since the previous one, and
    when that previous one went out (wall-clock seconds; None for a key's first notice)."""

    held_back: int
    since: float | None

    def suffix(self) -> str:
        """`` (and N more since HH:MM:SS UTC)`` for the notice's text; empty if none were held."""
        if not self.held_back or self.since is None:
            return ""
        at = datetime.fromtimestamp(self.since, UTC).strftime("%H:%M:%S")
        return f" (and {self.held_back} more since {at} UTC)"


class NoticeLimiter:
    """At most one notice per key every ``interval`` seconds, so a publisher does not flood
    the bus with a condition that repeats on every update (the notification service groups
    and rate-limits what reaches people; this keeps it off the topic in the first place).

    ``clock`` is wall-clock seconds, so a notice can say since when its count runs; a clock
    that went back lets the next notice out rather than holding notices back. Keys are
    whatever the publisher repeats on (a rule, a portfolio, a portfolio and a level) and are
    kept, so they must be few. Not thread-safe: one caller thread, or the caller's lock.
    """

    def __init__(
        self, interval: float = REPEAT_SECONDS, clock: Callable[[], float] = time.time
    ) -> None:
        self._interval = interval
        self._clock = clock
        self._sent_at: dict[Hashable, float] = {}
        self._held: dict[Hashable, int] = {}

    def admit(self, key: Hashable) -> Admitted | None:
        """A notice of ``key`` now: let out (the slot taken, the held-back count handed over
        and reset) or None (held back, and counted)."""
        now = self._clock()
        last = self._sent_at.get(key)
        if last is not None and 0 <= now - last < self._interval:
            self._held[key] = self._held.get(key, 0) + 1
            return None
        self._sent_at[key] = now
        return Admitted(self._held.pop(key, 0), last)
