"""Upstream: trading.node.host
Downstream: monitoring.notifications.kinds, trading.bus.messages, trading.node.backpressure, trading.node.telemetry
Role: ReloadBuffer: holds a reloading portfolio's market updates (cap 1000, alert at 500, drops counted) and hands them, in order, to the new instance's inbox."""

import threading
from collections import deque
from typing import Protocol

from monitoring.notifications import kinds
from trading.bus.messages import PriceMessage
from trading.node.backpressure import Level
from trading.node.telemetry import Drop, PortfolioSeries

BUFFER_CAP = 1000
BUFFER_ALERT = 500


class Receiver(Protocol):
    """Where updates go once released (a portfolio inbox)."""

    def offer(self, update: PriceMessage) -> Level:
        """Take one update."""

    def extend(self, updates: list[PriceMessage]) -> None:
        """Take these updates, in order, whatever the queue's limits."""


class Alert(Protocol):
    """Where the buffer's alerts go: the text of a notice of ``kind`` (at that kind's
    catalogue level: warning when high, critical when full)."""

    def __call__(self, text: str, *, kind: str) -> None:
        """Raise the alert."""


class ReloadBuffer:
    """Updates for a portfolio between the old instance's intake closing and the new one
    starting. :meth:`offer` (router thread) never blocks; ``alert(text, kind=...)`` is
    called once when the buffer reaches ``alert_at`` and once when it first drops.
    :meth:`release` moves what is held into the new inbox and forwards every later update
    there, under the buffer's lock, so no update is lost, repeated or reordered by the switch.
    Drops are counted in ``series`` (when given).
    """

    def __init__(
        self,
        alert: Alert,
        cap: int = BUFFER_CAP,
        alert_at: int = BUFFER_ALERT,
        series: PortfolioSeries | None = None,
    ) -> None:
        self.cap = cap
        self.dropped = 0
        self._series = series
        self._alert = alert
        self._alert_at = alert_at
        self._lock = threading.Lock()
        self._held: deque[PriceMessage] = deque()
        self._target: Receiver | None = None

    def __len__(self) -> int:
        return len(self._held)

    def offer(self, update: PriceMessage) -> Level:
        """Hold ``update`` (or forward it once released); past the cap it is dropped."""
        with self._lock:
            if self._target is not None:
                return self._target.offer(update)
            size = len(self._held)
            if size >= self.cap:
                self.dropped += 1
                if self._series is not None:
                    self._series.drop(Drop.RELOAD_BUFFER)
                if self.dropped == 1:
                    text = f"reload buffer full ({self.cap}): dropping updates"
                    self._alert(text, kind=kinds.RELOAD_BUFFER_FULL)
                return Level.CRITICAL
            self._held.append(update)
            if size + 1 == self._alert_at:
                text = f"reload buffer at {self._alert_at}/{self.cap} updates"
                self._alert(text, kind=kinds.RELOAD_BUFFER_HIGH)
            return Level.NORMAL

    def release(self, target: Receiver) -> int:
        """Hand what is held to ``target`` and forward to it from now on; returns how many."""
        with self._lock:
            held = list(self._held)
            self._held.clear()
            target.extend(held)
            self._target = target
            return len(held)
