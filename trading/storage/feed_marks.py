"""Upstream: bench.feed_storage, trading.livecore.runtime, trading.services.demo
Downstream: trading.dbcare, trading.livecore.marks, trading.models
Role: FeedMarkStore on the SQL database (the system of record): one market feed's marks per symbol in trading.models.FeedMark, upserted."""

from collections.abc import Iterable

from django.db import DatabaseError

from trading import models
from trading.dbcare import ConnectionCare
from trading.livecore.marks import FeedMark, FeedMarkStore, MarksUnavailable


class SqlFeedMarks(FeedMarkStore):
    """The marks of the feed of ``market`` (a market-data topic's market, e.g. "default")."""

    def __init__(self, market: str) -> None:
        self.market = market
        self._connections = ConnectionCare()

    def load(self) -> dict[str, FeedMark]:
        rows = models.FeedMark.objects.filter(market=self.market)
        return {
            symbol: FeedMark(symbol, time, price)
            for symbol, time, price in rows.values_list("symbol", "time", "price")
        }

    def save(self, marks: Iterable[FeedMark]) -> None:
        # A long-lived thread writes here: drop a stale connection first (as a request would).
        self._connections.check()
        rows = [
            models.FeedMark(market=self.market, symbol=m.symbol, time=m.time, price=m.price)
            for m in marks
        ]
        try:
            models.FeedMark.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=("market", "symbol"),
                update_fields=("time", "price"),
            )
        except DatabaseError as exc:
            self._connections.failed()
            raise MarksUnavailable(f"database: {exc}") from exc
