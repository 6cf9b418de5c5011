"""Upstream: bench.feed_storage, trading.livecore.control, trading.livecore.datamanager, trading.livecore.engine, trading.livecore.runtime
Downstream: monitoring.metrics
Role: Counters: named event counts shared between LiveCore's threads (for logs, Redis status, tests), the order outcomes and fills among them also in Prometheus."""

import threading
from collections import Counter
from collections.abc import Mapping
from typing import Protocol

from monitoring.metrics import LIVECORE_FILLS, LIVECORE_ORDERS


class Increment(Protocol):
    """A Prometheus counter (child)."""

    def inc(self, amount: float = 1) -> None:
        """Count ``amount`` more."""


def engine_series(engine_id: str) -> dict[str, Increment]:
    """The Prometheus series of LiveCore's counters, by counter name: orders by outcome
    (accepted, rejected, duplicate) and fills."""
    return {
        "accepted": LIVECORE_ORDERS.labels(engine_id, "accepted"),
        "rejects": LIVECORE_ORDERS.labels(engine_id, "rejected"),
        "duplicates": LIVECORE_ORDERS.labels(engine_id, "duplicate"),
        "fills": LIVECORE_FILLS.labels(engine_id),
    }


class Counters:
    """Thread-safe named counters; a name in ``exported`` also counts in that series."""

    def __init__(self, exported: Mapping[str, Increment] | None = None) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._exported = dict(exported or {})

    def add(self, name: str, amount: int = 1) -> None:
        """Count ``amount`` more ``name`` events."""
        with self._lock:
            self._counts[name] += amount
        series = self._exported.get(name)
        if series is not None:
            series.inc(amount)

    def __getitem__(self, name: str) -> int:
        with self._lock:
            return self._counts[name]

    def snapshot(self) -> dict[str, int]:
        """Every count, as a plain dict."""
        with self._lock:
            return dict(self._counts)
