"""Upstream: trading.node.host
Downstream: trading.bus.messages, trading.node.backpressure
Role: ReloadBuffer: holds a reloading portfolio's market updates (cap 1000, alert at 500, drops counted) and hands them, in order, to the new instance's inbox."""

import threading
from collections import deque
from collections.abc import Callable
from typing import Protocol

from trading.bus.messages import PriceBar, PriceTick
from trading.node.backpressure import Level

PriceMessage = PriceBar | PriceTick
BUFFER_CAP = 1000
BUFFER_ALERT = 500


class Receiver(Protocol):
    """Where updates go once released (a portfolio inbox)."""

    def offer(self, update: PriceMessage) -> Level:
        """Take one update."""

    def extend(self, updates: list[PriceMessage]) -> None:
        """Take these updates, in order, whatever the queue's limits."""


class ReloadBuffer:
    """Updates for a portfolio between the old instance's intake closing and the new one
    starting. :meth:`offer` (router thread) never blocks; ``alert(text)`` is called once
    when the buffer reaches ``alert_at`` and once when it first drops. :meth:`release`
    moves what is held into the new inbox and forwards every later update there, under the
    buffer's lock, so no update is lost, repeated or reordered by the switch.
    """

    def __init__(
        self,
        alert: Callable[[str], None],
        cap: int = BUFFER_CAP,
        alert_at: int = BUFFER_ALERT,
    ) -> None:
        self.cap = cap
        self.dropped = 0
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
                if self.dropped == 1:
                    self._alert(f"reload buffer full ({self.cap}): dropping updates")
                return Level.CRITICAL
            self._held.append(update)
            if size + 1 == self._alert_at:
                self._alert(f"reload buffer at {self._alert_at}/{self.cap} updates")
            return Level.NORMAL

    def release(self, target: Receiver) -> int:
        """Hand what is held to ``target`` and forward to it from now on; returns how many."""
        with self._lock:
            held = list(self._held)
            self._held.clear()
            target.extend(held)
            self._target = target
            return len(held)
