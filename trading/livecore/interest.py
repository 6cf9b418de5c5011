"""Upstream: trading.livecore.datamanager
Downstream: (none)
Role: InterestRegistry: the union of the execution nodes' interest sets, newest announcement per node wins."""

import threading
from collections.abc import Iterable


class InterestRegistry:
    """Which symbols some node wants.

    Each node announces its complete set (``update``); ``remove`` forgets a node that went
    offline. Announcements carry their event time: one older than what is known for the node
    (a late or replayed message) is ignored, so the newest word of every node wins. Reads are
    lock-free (an immutable union swapped on change), for the publishing thread's hot loop.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sets: dict[str, frozenset[str]] = {}
        self._stamps: dict[str, int] = {}
        self._union: frozenset[str] = frozenset()

    def update(self, node_id: str, symbols: Iterable[str], ts: int) -> bool:
        """``node_id`` now wants exactly ``symbols``; False if the announcement is stale."""
        return self._change(node_id, frozenset(symbols), ts)

    def remove(self, node_id: str, ts: int) -> bool:
        """``node_id`` wants nothing any more; False if the notice is stale."""
        return self._change(node_id, None, ts)

    def wants(self, symbol: str) -> bool:
        """True when at least one node wants ``symbol``."""
        return symbol in self._union

    @property
    def symbols(self) -> frozenset[str]:
        """Every wanted symbol."""
        return self._union

    def _change(self, node_id: str, symbols: frozenset[str] | None, ts: int) -> bool:
        with self._lock:
            if ts < self._stamps.get(node_id, ts):
                return False
            self._stamps[node_id] = ts
            if symbols is None:
                self._sets.pop(node_id, None)
            else:
                self._sets[node_id] = symbols
            self._union = frozenset().union(*self._sets.values())
            return True
