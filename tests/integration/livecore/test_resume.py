"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, tests.integration.bus.helpers, trading.bus.mapping, trading.bus.messages, trading.bus.topics, trading.core.testing.random_walk, trading.livecore.marks, trading.livecore.runtime, trading.livecore.sources, trading.services.demo, trading.storage.feed_marks
Role: a LiveCore run with resume keeps its feed's marks in the database and a restart carries on after them: every bar goes out once across the restart, and ticks after the files never go back in time."""

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from ginkgo_site.devstack.waiting import wait_until
from tests.integration.bus.helpers import TopicRecorder
from trading.bus.mapping import price_update
from trading.bus.messages import PriceBar, PriceMessage, PriceTick
from trading.bus.topics import MARKET_DATA
from trading.core.testing.random_walk import random_walk, write_bars_csv
from trading.livecore.marks import FeedMark
from trading.livecore.runtime import LiveCore
from trading.livecore.sources import BarReplaySource, ReplayThenTicks
from trading.services.demo import demo_replay
from trading.storage.feed_marks import SqlFeedMarks

SYMBOLS = ("AAA", "BBB")


def _files(directory: Path, bars: int) -> list[Path]:
    return [
        write_bars_csv(directory / f"{symbol}.csv", random_walk(bars, seed=seed, symbol=symbol))
        for seed, symbol in enumerate(SYMBOLS)
    ]


def _stop(core: LiveCore) -> None:
    core.stop()
    assert core.stopped.wait(60), "LiveCore did not stop"


def _by_symbol(market: TopicRecorder) -> dict[str, list[PriceMessage]]:
    """What the market topic carried, per symbol in publishing order (a symbol's updates
    share a partition)."""
    found: dict[str, list[PriceMessage]] = defaultdict(list)
    for message in market.of((PriceBar, PriceTick)):
        found[message.symbol].append(message)
    return found


def test_a_restarted_replay_carries_on_after_the_last_bar_it_published_for_each_symbol(
    start_livecore, record, tmp_path
):
    files = _files(tmp_path, 40)
    market = record(MARKET_DATA)

    first = start_livecore(
        source=BarReplaySource.from_files(files, seconds_per_bar=0.05),
        publish_all=True,
        resume=True,
    )
    wait_until(lambda: first.counters["published"] >= 20, what="20 bars published")
    _stop(first)
    published = first.counters["published"]
    wait_until(lambda: len(market.of(PriceBar)) == published, what="the first run's bars")
    last = {s: price_update(updates[-1]) for s, updates in _by_symbol(market).items()}
    assert SqlFeedMarks("default").load() == {s: FeedMark.of(u) for s, u in last.items()}

    second = start_livecore(
        source=BarReplaySource.from_files(files, seconds_per_bar=0.01),
        publish_all=True,
        resume=True,
    )
    wait_until(lambda: second.counters["published"] == 80 - published, what="the rest of the bars")
    wait_until(lambda: len(market.of(PriceBar)) == 80, what="every bar on the topic")

    times = {s: [price_update(m).time for m in found] for s, found in _by_symbol(market).items()}
    assert times == {
        s: [b.time for b in random_walk(40, seed=i, symbol=s)] for i, s in enumerate(SYMBOLS)
    }
    # The running engine saves its marks every few seconds, once the producer confirms delivery.
    final = {
        s: FeedMark.of(list(random_walk(40, seed=i, symbol=s))[-1]) for i, s in enumerate(SYMBOLS)
    }
    wait_until(lambda: SqlFeedMarks("default").load() == final, what="the last bars' marks saved")


def test_after_the_files_a_restart_goes_on_with_ticks_from_the_last_prices_never_back_in_time(
    start_livecore, record, tmp_path
):
    files = _files(tmp_path, 5)
    market = record(MARKET_DATA)

    def source() -> ReplayThenTicks:
        return ReplayThenTicks(BarReplaySource.from_files(files), rate=200, seed=1)

    first = start_livecore(source=source(), publish_all=True, resume=True)
    wait_until(lambda: len(market.of(PriceTick)) >= 20, what="ticks after the bars")
    _stop(first)
    marks = SqlFeedMarks("default").load()
    ticks_before = len(market.of(PriceTick))
    second = start_livecore(source=source(), publish_all=True, resume=True)
    wait_until(lambda: len(market.of(PriceTick)) >= ticks_before + 20, what="the next ticks")
    _stop(second)

    assert len(market.of(PriceBar)) == 10, "the second run replays no bar"
    for symbol, found in _by_symbol(market).items():
        stamps = [m.ts for m in found]
        assert stamps == sorted(set(stamps)), f"{symbol} went back in time or repeated"
        resumed = [price_update(m) for m in found if price_update(m).time > marks[symbol].time]
        # A random walk with tiny steps: the first tick after the restart stays near the mark.
        assert abs(resumed[0].price - marks[symbol].price) < Decimal("0.5")


# transaction=True: the store checks its connection as LiveCore's long-lived thread needs,
# which a test's open transaction does not allow.
@pytest.mark.django_db(transaction=True)
def test_feed_marks_are_kept_per_market_and_replaced_by_later_ones():
    day = datetime(2024, 1, 2, tzinfo=UTC)
    us, default = SqlFeedMarks("us"), SqlFeedMarks("default")

    default.save([FeedMark("AAA", day, Decimal("10.5")), FeedMark("BBB", day, Decimal(20))])
    default.save([FeedMark("AAA", day + timedelta(days=1), Decimal(11))])
    us.save([FeedMark("AAA", day, Decimal(99))])

    assert default.load() == {
        "AAA": FeedMark("AAA", day + timedelta(days=1), Decimal(11)),
        "BBB": FeedMark("BBB", day, Decimal(20)),
    }
    assert us.load() == {"AAA": FeedMark("AAA", day, Decimal(99))}


@pytest.mark.django_db(transaction=True)
def test_the_demo_replay_says_how_long_it_is_and_where_a_restart_resumes(tmp_path):
    files = _files(tmp_path, 10)
    aaa, bbb = (list(random_walk(10, seed=i, symbol=s)) for i, s in enumerate(SYMBOLS))
    marks = SqlFeedMarks("default")

    fresh = demo_replay(files)
    marks.save([FeedMark.of(aaa[5]), FeedMark.of(bbb[3])])
    resumed = demo_replay(files)
    marks.save([FeedMark.of(aaa[-1]), FeedMark.of(bbb[-1])])
    done = demo_replay(files)

    assert (fresh.symbols, fresh.times, fresh.resuming) == (SYMBOLS, 10, False)
    assert (fresh.first, fresh.last, fresh.next_time) == (aaa[0].time, aaa[-1].time, aaa[0].time)
    # The earliest bar still to go: BBB's after its mark.
    assert (resumed.resuming, resumed.next_time) == (True, bbb[4].time)
    assert (done.resuming, done.next_time) == (True, None)
