"""Upstream: trading.livecore.datamanager
Downstream: trading.core.market, trading.core.ports, trading.dbcare
Role: BarRecorder: writes the bars the DataManager's feed went past to the bar store from its own thread, in batches, so storing never slows publishing; a restart's repeats are upserts.

The bar store is keyed by (symbol, interval, time) and writing a key again replaces the bar
(trading.core.ports.BarStore), so a bar a restarted feed publishes twice is stored once.
"""

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from django.db import DatabaseError, connections

from trading.core.market import Bar
from trading.core.ports import BarStore, StoreUnavailable
from trading.dbcare import ConnectionCare

logger = logging.getLogger(__name__)

# Bars are written at most this often (one insert per batch: ClickHouse wants few, large ones).
WRITE_EVERY_SECONDS = 0.5
# One insert takes at most this many bars; more waiting are written in several.
MAX_BATCH = 5000
# Bars kept while the store is away; beyond this the oldest are dropped (counted, logged).
MAX_PENDING = 200_000
# After a failed write, the next attempt waits this long.
RETRY_SECONDS = 2.0


class BarRecorder:
    """Bars handed to :meth:`record` (any thread, never blocking) are written to ``store`` by
    a thread of its own between :meth:`start` and :meth:`close` (every ``every`` seconds,
    ``MAX_BATCH`` bars an insert).

    A write that fails (store away) keeps its bars for the next attempt; past ``max_pending``
    bars waiting, the oldest are dropped. :meth:`flush` waits for what was recorded so far:
    the feed saves its marks only once it returns 0, so a mark never runs ahead of the store
    and a restart that resumes after the marks leaves no hole in it. ``count`` gets
    ``bars_stored``, ``bars_store_failures`` and ``bars_dropped``.
    """

    def __init__(
        self,
        store: BarStore,
        count: Callable[[str, int], None],
        *,
        every: float = WRITE_EVERY_SECONDS,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self._store = store
        self._count = count
        self._every = every
        self._max_pending = max_pending
        self._pending: deque[Bar] = deque()
        self._changed = threading.Condition()
        # Bars recorded so far, and how many of them are written or dropped: the ones a
        # flush waits for are those in between.
        self._recorded = 0
        self._done = 0
        self._urgent = False
        self._closed = False
        # The last write failed: a flush does not wait (the store is away, publishing goes on).
        self._failing = False
        self._connections = ConnectionCare()
        self._thread = threading.Thread(target=self._run, name="livecore-bars", daemon=True)

    def start(self) -> None:
        """Start writing."""
        self._thread.start()

    def record(self, bar: Bar) -> None:
        """Queue ``bar`` for the store."""
        with self._changed:
            self._pending.append(bar)
            self._recorded += 1
            self._trim()

    def flush(self, timeout: float) -> int:
        """Write what was recorded so far now; wait for it at most ``timeout`` seconds.
        Returns how many of those bars are not stored yet (0: all are). While the store
        fails, it does not wait."""
        deadline = time.monotonic() + timeout
        with self._changed:
            target = self._recorded
            self._urgent = True
            self._changed.notify_all()
            while (
                self._done < target
                and not self._failing
                and (left := deadline - time.monotonic()) > 0
            ):
                self._changed.wait(left)
            return max(0, target - self._done)

    def close(self) -> None:
        """Write what is left, then stop the thread (a store that is away by then keeps
        what it could not take: the feed's marks did not pass it either)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        self._thread.join()

    def _run(self) -> None:
        try:
            while self._next_batch():
                pass
        finally:
            connections.close_all()

    def _next_batch(self) -> bool:
        """Wait for a batch and write it; False once closed with nothing (writable) left."""
        with self._changed:
            if not self._closed and not self._urgent:
                self._changed.wait(self._every)
            self._urgent = False
            if not self._pending:
                return not self._closed
            batch = [self._pending.popleft() for _ in range(min(len(self._pending), MAX_BATCH))]
        written = self._write(batch)
        with self._changed:
            self._failing = not written
            if written:
                self._done += len(batch)
            else:  # back in front, to be written first next time
                self._pending.extendleft(reversed(batch))
                self._trim()
            self._changed.notify_all()
            if not written:
                if self._closed:
                    return False
                self._changed.wait(RETRY_SECONDS)
        return True

    def _trim(self) -> None:
        # Under the lock: beyond max_pending bars waiting, the oldest go.
        excess = len(self._pending) - self._max_pending
        if excess > 0:
            for _ in range(excess):
                self._pending.popleft()
            self._done += excess
            self._count("bars_dropped", excess)
            logger.error(
                "bar store away: %d bar(s) more than %d waiting dropped", excess, self._max_pending
            )

    def _write(self, batch: list[Bar]) -> bool:
        self._connections.check()
        try:
            self._store.write_bars(batch)
        except (DatabaseError, StoreUnavailable) as exc:
            self._connections.failed()
            self._count("bars_store_failures", 1)
            logger.warning("%d bar(s) not stored yet (retried): %s", len(batch), exc)
            return False
        self._count("bars_stored", len(batch))
        return True
