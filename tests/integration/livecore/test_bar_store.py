"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, trading.bus.mapping, trading.bus.messages, trading.bus.topics, trading.core.ports, trading.core.testing.builders, trading.core.testing.random_walk, trading.livecore.runtime, trading.livecore.sources, trading.models, trading.storage.stores
Role: the DataManager stores every bar its feed goes past in the bar store (ClickHouse or SQL) exactly once, also when a restarted feed publishes some again; ticks and refused bars are not stored."""

from dataclasses import replace
from datetime import timedelta

from ginkgo_site.devstack.waiting import wait_until
from trading import models
from trading.bus.mapping import price_update
from trading.bus.messages import PriceBar
from trading.bus.topics import MARKET_DATA
from trading.core.ports import DAILY
from trading.core.testing.builders import T0, bar
from trading.core.testing.random_walk import random_walk
from trading.livecore.runtime import LiveCore
from trading.livecore.sources import BarReplaySource, ReplayThenTicks
from trading.storage.stores import bar_store

SYMBOLS = ("AAA", "BBB")
DAYS = 40


def _walks() -> dict[str, list]:
    return {s: list(random_walk(DAYS, seed=i, symbol=s)) for i, s in enumerate(SYMBOLS)}


def _stop(core: LiveCore) -> None:
    core.stop()
    assert core.stopped.wait(60), "LiveCore did not stop"


def _stored() -> dict[str, list]:
    return {symbol: list(bar_store().bars(symbol)) for symbol in SYMBOLS}


def test_every_published_bar_is_stored_once_also_when_a_restart_publishes_it_again(
    bar_store_kind, start_livecore, record
):
    walks = _walks()
    market = record(MARKET_DATA)

    first = start_livecore(
        source=BarReplaySource(walks.values(), seconds_per_bar=0.02), publish_all=True, resume=True
    )
    wait_until(lambda: first.counters["published"] == 2 * DAYS, what="every bar published")
    wait_until(lambda: first.counters["bars_stored"] == 2 * DAYS, what="every bar stored")
    _stop(first)
    # A LiveCore killed before its marks caught up: the next run publishes the last 15 again.
    models.FeedMark.objects.update(time=T0 + timedelta(days=DAYS - 16))
    second = start_livecore(
        source=BarReplaySource(walks.values(), seconds_per_bar=0.0), publish_all=True, resume=True
    )
    wait_until(lambda: second.counters["bars_stored"] == 2 * 15, what="the repeats stored")
    _stop(second)

    assert second.counters["published"] == 2 * 15
    wait_until(lambda: len(market.of(PriceBar)) == 2 * DAYS + 2 * 15, what="all on the topic")
    published = {replace(price_update(m), interval=DAILY) for m in market.of(PriceBar)}
    assert _stored() == {s: [replace(b, interval=DAILY) for b in walks[s]] for s in SYMBOLS}
    assert published == {b for s in SYMBOLS for b in _stored()[s]}
    if bar_store_kind == "sql":
        assert models.Bar.objects.count() == 2 * DAYS


def test_ticks_and_refused_bars_are_not_stored_skipped_bars_are(settings, start_livecore):
    settings.CLICKHOUSE_URL = ""
    good = [bar("100", time=T0), bar("101", time=T0 + timedelta(days=1))]
    bad = bar("100", open="500", high="101", low="99", time=T0 + timedelta(days=2))
    # Nobody wants AAA (no node, not publish_all): the bars are skipped yet stored.
    core = start_livecore(source=ReplayThenTicks(BarReplaySource([[*good, bad]]), rate=200, seed=1))
    wait_until(lambda: core.counters["skipped"] >= 30, what="bars and ticks skipped")
    _stop(core)

    assert core.counters["refused"] == 1
    assert list(bar_store().bars("AAA")) == [replace(b, interval=DAILY) for b in good]
