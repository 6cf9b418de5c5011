"""Upstream: bench.storage, trading.storage.stores
Downstream: trading.core.market, trading.core.ports, trading.models
Role: BarStore on the SQL database (the embedded default): upserts by (symbol, interval, time) into trading.models.Bar."""

from collections.abc import Iterable, Iterator
from datetime import datetime

from django.db.models import Max

from trading import models
from trading.core.market import Bar
from trading.core.ports import DAILY, BarStore, StoreCounts

STORE = "sql"
_PRICES = ("open", "high", "low", "close", "volume")
_READ_CHUNK = 2000


class SqlBarStore(BarStore):
    """Bars in the ``trading_bar`` table; a bar written again replaces the stored one."""

    name = STORE

    def write_bars(self, bars: Iterable[Bar]) -> int:
        # Keyed, so a batch that repeats a bar upserts it once (PostgreSQL refuses twice).
        rows = {
            (bar.symbol, bar.interval or DAILY, bar.time): models.Bar(
                symbol=bar.symbol,
                interval=bar.interval or DAILY,
                time=bar.time,
                open=bar.open,
                high=bar.high,
                low=bar.low,
                close=bar.close,
                volume=bar.volume,
            )
            for bar in bars
        }
        models.Bar.objects.bulk_create(
            rows.values(),
            update_conflicts=True,
            unique_fields=("symbol", "interval", "time"),
            update_fields=_PRICES,
        )
        return len(rows)

    def bars(
        self,
        symbol: str,
        start: datetime | None = None,
        end: datetime | None = None,
        interval: str = DAILY,
        limit: int | None = None,
    ) -> Iterator[Bar]:
        rows = models.Bar.objects.filter(symbol=symbol, interval=interval).order_by("time")
        if start is not None:
            rows = rows.filter(time__gte=start)
        if end is not None:
            rows = rows.filter(time__lt=end)
        if limit is not None:
            rows = rows[:limit]
        for time, *prices in rows.values_list("time", *_PRICES).iterator(chunk_size=_READ_CHUNK):
            yield Bar(symbol, *prices, time=time, interval=interval)

    def intervals(self, symbol: str) -> list[str]:
        rows = models.Bar.objects.filter(symbol=symbol).values_list("interval", flat=True)
        return sorted(set(rows.distinct()))

    def counts(self) -> StoreCounts:
        return StoreCounts(
            models.Bar.objects.count(), models.Bar.objects.aggregate(latest=Max("time"))["latest"]
        )
