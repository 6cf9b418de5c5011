"""Upstream: (entry point: python -m bench.feed_storage)
Downstream: bench.scratch, ginkgo_site.devstack, trading.bus.admin, trading.bus.config, trading.bus.deadletter, trading.bus.producer, trading.bus.topics, trading.core.testing.random_walk, trading.livecore.datamanager, trading.livecore.sources, trading.livecore.stats, trading.models, trading.storage.feed_marks, trading.storage.schema, trading.storage.stores
Role: benchmark: how late the DataManager publishes against its source's schedule, with and without storing its bars (SQL, ClickHouse) and its marks, for a bar replay at 20 bars/s and synthetic ticks.

Everything real, nothing shared: its own Tansu broker and ClickHouse server
(ginkgo_site.devstack), a scratch PostgreSQL database (bench.scratch). The DataManager runs
in this process with ``publish_all`` and its marks kept (as ``run_livecore --resume`` keeps
them, so every second its thread waits for the producer's deliveries and the store's
writes); a producer wrapper notes when each update is published. Lateness is the publish
time minus the schedule (the first update's publish time plus the source's delays).

    python -m bench.feed_storage [--seconds 20] [--symbols 4] [--ticks 20]
"""

import argparse
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.scratch import django_setup, scratch_database

STORES = ("none", "sql", "clickhouse")


class TimedSource:
    """A source's updates with the time each is due (from the first one)."""

    def __init__(self, source: Any) -> None:
        self._source = source
        self.delays: list[float] = []

    def updates(self) -> Iterator[Any]:
        for paced in self._source.updates():
            self.delays.append(paced.delay)
            yield paced

    def resumed(self, marks: Any) -> "TimedSource":
        self._source = self._source.resumed(marks)
        return self


class TimedProducer:
    """The bus producer, noting when each update was handed to it."""

    def __init__(self, producer: Any) -> None:
        self._producer = producer
        self.published: list[float] = []

    def publish(self, topic: str, message: Any) -> None:
        self.published.append(time.monotonic())
        self._producer.publish(topic, message)

    def flush(self, timeout: float) -> int:
        return int(self._producer.flush(timeout))


def lateness(source: TimedSource, producer: TimedProducer) -> list[float]:
    """Seconds each update went out after it was due."""
    due = producer.published[0]
    late = []
    for delay, published in zip(source.delays, producer.published, strict=False):
        due += delay
        late.append(max(0.0, published - due))
    return late


def run(bus: Any, store: str, source: Any, seconds: float) -> list[float]:
    """Publish ``source`` for ``seconds`` through a DataManager storing into ``store``
    (its marks start empty)."""
    from trading import models
    from trading.bus.deadletter import DeadLetters
    from trading.bus.producer import BusProducer
    from trading.bus.topics import market_data_topic
    from trading.livecore.datamanager import DataManager
    from trading.livecore.stats import Counters
    from trading.storage.feed_marks import SqlFeedMarks
    from trading.storage.stores import bar_store

    models.FeedMark.objects.all().delete()
    producer = BusProducer(bus, source="bench")
    timed_source, timed_producer = TimedSource(source), TimedProducer(producer)
    manager = DataManager(
        source=timed_source,  # type: ignore[arg-type]
        producer=timed_producer,  # type: ignore[arg-type]
        topic=market_data_topic("default"),
        counters=Counters(),
        dead_letters=DeadLetters(producer),
        publish_all=True,
        marks=SqlFeedMarks("default"),
        bars=None if store == "none" else bar_store(),
    )
    stop = threading.Event()
    timer = threading.Timer(seconds, stop.set)
    timer.start()
    manager.run(stop)
    timer.cancel()
    producer.close()
    return lateness(timed_source, timed_producer)


def _ms(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[2])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each run")
    parser.add_argument("--symbols", type=int, default=4, help="symbols replayed")
    parser.add_argument("--ticks", type=float, default=20.0, help="synthetic ticks per second")
    args = parser.parse_args(argv)
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="ginkgo-bench-") as tmp:
        url = stack.enter_context(scratch_database())
        django_setup(stack, DATABASE_URL=url)
        from django.conf import settings
        from django.core.management import call_command

        from ginkgo_site.devstack import start_clickhouse, start_tansu
        from trading.bus.admin import ensure_topics
        from trading.bus.config import BusConfig
        from trading.core.testing.random_walk import random_walk
        from trading.livecore.sources import BarReplaySource, SyntheticTickSource
        from trading.storage.schema import schema_create

        call_command("migrate", verbosity=0)
        kafka = start_tansu(Path(tmp) / "kafka")
        stack.callback(kafka.stop)
        clickhouse = start_clickhouse(Path(tmp) / "clickhouse")
        stack.callback(clickhouse.stop)
        schema_create(clickhouse.url)
        bus = BusConfig(kafka.url, "bench.")
        ensure_topics(bus.bootstrap, bus.namespace)
        symbols = [f"S{n:03d}" for n in range(args.symbols)]
        bars = int(args.seconds * 20) + 100
        print(
            f"feed storage: {args.seconds:.0f} s runs, replay of {len(symbols)} symbols at "
            f"20 bars/s ({20 * len(symbols)} updates/s), then {args.ticks:.0f} ticks/s; marks kept",
            flush=True,
        )
        for store in STORES:
            settings.CLICKHOUSE_URL = clickhouse.url if store == "clickhouse" else ""
            # Each run replays fresh symbols' bars: the store never holds them yet.
            names = [f"{store[:2].upper()}{symbol}" for symbol in symbols]
            replay = BarReplaySource(
                [list(random_walk(bars, seed=i, symbol=s)) for i, s in enumerate(names)],
                seconds_per_bar=0.05,
            )
            late = run(bus, store, replay, args.seconds)
            ticks = SyntheticTickSource(names, rate=args.ticks, seed=1)
            tick_late = run(bus, store, ticks, args.seconds)
            print(
                f"store {store:<10} replay: {len(late):5d} bars, late p50 {_ms(late, 0.5):5.1f} "
                f"p99 {_ms(late, 0.99):6.1f} max {1000 * max(late):6.1f} ms | ticks: "
                f"{len(tick_late):4d}, late p50 {_ms(tick_late, 0.5):5.1f} "
                f"p99 {_ms(tick_late, 0.99):6.1f} max {1000 * max(tick_late):6.1f} ms",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
