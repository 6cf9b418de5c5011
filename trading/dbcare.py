"""Upstream: monitoring.notifications.service, trading.livecore.bar_recorder, trading.livecore.engine, trading.storage.feed_marks, (computed)
Downstream: (computed)
Role: ConnectionCare: Django's stale-connection check for long-lived consumer threads, at most every few seconds per thread and at once after a database fault."""

import threading
import time

from django.db import close_old_connections

# How often a consumer thread lets Django drop its stale connections.
CONNECTION_CHECK_SECONDS = 10.0


class ConnectionCare:
    """close_old_connections() for long-lived threads, the way a request cycle would do it,
    but per thread at most every CONNECTION_CHECK_SECONDS and at once after a database fault:
    with CONN_MAX_AGE=0 a call per message would open a new connection per message."""

    def __init__(self) -> None:
        self._local = threading.local()

    def check(self) -> None:
        """Drop this thread's connection if it is stale (when a check is due)."""
        now = time.monotonic()
        if now >= getattr(self._local, "due", 0.0):
            close_old_connections()
            self._local.due = now + CONNECTION_CHECK_SECONDS

    def failed(self) -> None:
        """The database failed this thread: check at the next unit of work."""
        self._local.due = 0.0
