"""Upstream: bench.reload
Downstream: trading.bus.messages, trading.bus.producer, trading.bus.topics
Role: a paced market feed for end-to-end tests and benchmarks: ticks of one symbol at a given rate, each newer than the last, published from a thread."""

import threading
import time
from decimal import Decimal

from trading.bus.messages import PriceTick
from trading.bus.producer import BusProducer
from trading.bus.topics import MARKET_DATA

BATCH = 50


class TickFeed:
    """Publishes ``rate`` ticks a second of ``symbol`` until :meth:`stop`; ``published``
    counts them (timestamps strictly increase, so a repeat or reorder is visible)."""

    def __init__(self, producer: BusProducer, symbol: str, rate: float) -> None:
        self.symbol = symbol
        self.published = 0
        self._producer = producer
        self._rate = rate
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._topic = MARKET_DATA

    def start(self) -> "TickFeed":
        """Start publishing."""
        self._thread.start()
        return self

    def stop(self) -> int:
        """Stop, flush, and return how many ticks went out."""
        self._stop.set()
        self._thread.join()
        self._producer.flush()
        return self.published

    def _run(self) -> None:
        started = time.monotonic()
        last_ts = 0
        while not self._stop.is_set():
            for _ in range(BATCH):
                last_ts = max(time.time_ns(), last_ts + 1)
                price = Decimal(100 + self.published % 7)
                tick = PriceTick(ts=last_ts, symbol=self.symbol, price=price, size=Decimal(1))
                self._producer.publish(self._topic, tick)
                self.published += 1
            ahead = started + self.published / self._rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
