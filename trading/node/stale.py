"""Upstream: bench.node_latency, bench.node_router, trading.management.commands.run_node, trading.node.config, trading.node.router, trading.node.runtime, trading.node_worker
Downstream: trading.bus.messages
Role: StaleGuard: keeps price updates that are too old (a late node, a broker replaying old messages) away from live strategies.

What "old" means depends on the update. A tick is a trade print: its event time is when it
happened, so its age is wall clock minus event time. A bar's event time is the start of its
period: hours old for a live daily bar and years old for a bar replay, so its age is measured
from when it was published (the broker timestamp the DataManager's producer stamps at
publish time). A replayed bar published a moment ago is fresh; the same bar delivered again
a minute later, or read by a node that started late, is stale. An update whose publish time
is unknown is judged by its event time when it is a tick and let through when it is a bar.
``max_age`` None (or 0) turns the guard off (e.g. to debug against an old topic).
"""

import time
from collections.abc import Callable

from trading.bus.messages import PriceMessage, PriceTick

NS_PER_SECOND = 1_000_000_000
DEFAULT_MAX_AGE_SECONDS = 60.0


class StaleGuard:
    """Says whether an update is too old to trade on; ``now_ns`` is the wall clock."""

    def __init__(
        self,
        max_age: float | None = DEFAULT_MAX_AGE_SECONDS,
        now_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        self.max_age = max_age or None
        self._limit = int(max_age * NS_PER_SECOND) if max_age else 0
        self._now_ns = now_ns

    @property
    def enabled(self) -> bool:
        """False when the guard lets everything through."""
        return self.max_age is not None

    def is_stale(
        self, message: PriceMessage, published_ns: int | None, now_ns: int | None = None
    ) -> bool:
        """True when ``message`` is older than ``max_age`` (``published_ns``: broker time;
        ``now_ns``: the wall clock if the caller has just read it)."""
        if not self._limit:
            return False
        if isinstance(message, PriceTick):
            reference: int | None = message.ts
        else:
            reference = published_ns
        if reference is None:
            return False
        return (now_ns if now_ns is not None else self._now_ns()) - reference > self._limit
