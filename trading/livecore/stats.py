"""Upstream: trading.livecore.control, trading.livecore.datamanager, trading.livecore.engine, trading.livecore.runtime
Downstream: (none)
Role: Counters: named event counts shared between LiveCore's threads (for logs, Redis status, tests)."""

import threading
from collections import Counter


class Counters:
    """Thread-safe named counters."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def add(self, name: str, amount: int = 1) -> None:
        """Count ``amount`` more ``name`` events."""
        with self._lock:
            self._counts[name] += amount

    def __getitem__(self, name: str) -> int:
        with self._lock:
            return self._counts[name]

    def snapshot(self) -> dict[str, int]:
        """Every count, as a plain dict."""
        with self._lock:
            return dict(self._counts)
