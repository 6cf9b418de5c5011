"""Upstream: trading.livecore.datamanager, trading.livecore.sources, trading.storage.feed_marks
Downstream: trading.core.market
Role: a market feed's marks (per symbol, the last update it went past: time and price), the store port that keeps them, and MarkKeeper, which saves them as the feed runs.

A restarted feed reads its marks and carries on after them (see MarketDataSource.resumed),
so consumers never see it go back in time. A mark covers the updates the DataManager
published and those it skipped because no node wanted them: either way the feed is past them.
"""

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Self

from trading.core.market import PriceUpdate, last_price

logger = logging.getLogger(__name__)

# Marks are saved at most this often while the feed runs (and once when it stops): a feed
# killed outright repeats at most this much, which consumers drop as already seen.
SAVE_EVERY_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class FeedMark:
    """How far a feed got for one symbol: its last update's event time and price."""

    symbol: str
    time: datetime
    price: Decimal

    @classmethod
    def of(cls, update: PriceUpdate) -> Self:
        """The mark an update leaves: its time, and a bar's close or a tick's price."""
        return cls(update.symbol, update.time, last_price(update))


class MarksUnavailable(Exception):
    """The store could not be written; the message says why."""


class FeedMarkStore(ABC):
    """Where one feed's marks are kept between runs."""

    @abstractmethod
    def load(self) -> dict[str, FeedMark]:
        """The saved marks, by symbol (empty for a feed that never ran)."""

    @abstractmethod
    def save(self, marks: Iterable[FeedMark]) -> None:
        """Replace the saved marks of these symbols; raises MarksUnavailable on a fault."""


class MarkKeeper:
    """Follows a feed's updates and saves the marks that moved to ``store`` at most every
    ``every`` seconds, and on :meth:`save`.

    Marks are saved only once ``delivered`` (the producer's flush: what is left undelivered)
    reports every published update delivered, so a saved mark never runs ahead of what
    consumers can read. A save that fails keeps the marks for the next one.
    """

    def __init__(
        self,
        store: FeedMarkStore,
        *,
        delivered: Callable[[], int],
        every: float = SAVE_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._delivered = delivered
        self._every = every
        self._clock = clock
        self._due = clock() + every
        self._moved: dict[str, FeedMark] = {}

    def load(self) -> Mapping[str, FeedMark]:
        """The marks the feed left last time (logged: where it resumes)."""
        marks = self._store.load()
        if marks:
            latest = max(mark.time for mark in marks.values())
            logger.info("feed resumes after its marks: %d symbol(s), latest %s", len(marks), latest)
        return marks

    def passed(self, update: PriceUpdate) -> None:
        """The feed went past ``update`` (published it, or skipped it as unwanted)."""
        self._moved[update.symbol] = FeedMark.of(update)
        if self._clock() >= self._due:
            self.save()

    def save(self) -> None:
        """Save the marks that moved since the last save (if every update was delivered)."""
        self._due = self._clock() + self._every
        if not self._moved:
            return
        if undelivered := self._delivered():
            logger.warning("%d update(s) not yet delivered: feed marks saved later", undelivered)
            return
        try:
            self._store.save(self._moved.values())
        except MarksUnavailable as exc:
            logger.warning("feed marks not saved (retried in %.0f s): %s", self._every, exc)
            return
        self._moved.clear()
