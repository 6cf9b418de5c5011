"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, trading.bus.codec, trading.bus.mapping, trading.bus.messages, trading.bus.topics, trading.core.testing.builders, trading.livecore.sources, trading.redis_store
Role: the DataManager publishes only what some node wants, keyed by symbol, on its market's topic, once the live nodes announced what they want (bounded wait)."""

import threading
import time
from datetime import timedelta

from ginkgo_site.devstack.waiting import wait_until
from trading.bus.codec import decode
from trading.bus.mapping import price_update
from trading.bus.messages import (
    DeadLetter,
    InterestSyncRequest,
    InterestUpdate,
    NodeOffline,
    PriceBar,
    PriceTick,
)
from trading.bus.topics import DEAD_LETTER, MARKET_DATA_US, SYSTEM_EVENTS
from trading.core.testing.builders import T0, bar
from trading.livecore.sources import BarReplaySource, SyntheticTickSource
from trading.redis_store import heartbeat_key, nodes_active_key


def test_only_symbols_in_some_nodes_interest_are_published_until_the_node_leaves(
    start_livecore, publisher, record
):
    system = record(SYSTEM_EVENTS)
    market = record(MARKET_DATA_US)
    core = start_livecore(
        market="us", source=SyntheticTickSource(["AAA", "BBB", "CCC"], rate=300, seed=1)
    )
    system.wait_for(InterestSyncRequest)

    publisher.publish(
        SYSTEM_EVENTS, InterestUpdate(ts=time.time_ns(), node_id="n1", symbols=["AAA"])
    )
    publisher.publish(
        SYSTEM_EVENTS, InterestUpdate(ts=time.time_ns(), node_id="n2", symbols=["BBB"])
    )
    publisher.flush()
    wait_until(
        lambda: {t.symbol for t in market.of(PriceTick)} == {"AAA", "BBB"}, what="AAA and BBB"
    )
    publisher.publish(SYSTEM_EVENTS, NodeOffline(ts=time.time_ns(), node_id="n1"))
    publisher.publish(SYSTEM_EVENTS, NodeOffline(ts=time.time_ns(), node_id="n2"))
    publisher.flush()
    wait_until(lambda: core.counters["nodes_offline"] == 2, what="both nodes gone")
    skipped = core.counters["skipped"]
    # A tick already past the interest check when the nodes left may still go out.
    wait_until(lambda: core.counters["skipped"] > skipped, what="a tick skipped")
    published = core.counters["published"]
    wait_until(
        lambda: core.counters["skipped"] > skipped + 30, what="ticks skipped while nobody listens"
    )

    ticks = market.of(PriceTick)
    assert {t.symbol for t in ticks} == {"AAA", "BBB"}
    assert core.counters["published"] == published
    assert all(d.key == t.symbol.encode() for (t, d) in market.messages)
    assert core.counters["interest_updates"] == 2


def test_the_source_waits_for_the_live_nodes_interest_so_their_first_updates_go_out(
    start_livecore, publisher, record, redis_client
):
    # n1 is alive (heartbeat) and answers the sync request a second late; n2 is listed but
    # dead (no heartbeat) and is not waited for.
    redis_client.sadd(nodes_active_key(), "n1", "n2")
    redis_client.set(heartbeat_key("n1"), "{}", ex=30)
    system = record(SYSTEM_EVENTS)
    market = record(MARKET_DATA_US)

    def answer() -> None:
        system.wait_for(InterestSyncRequest)
        time.sleep(1.0)
        update = InterestUpdate(ts=time.time_ns(), node_id="n1", symbols=["AAA"])
        publisher.publish(SYSTEM_EVENTS, update)
        publisher.flush()

    node = threading.Thread(target=answer)
    node.start()
    core = start_livecore(market="us", source=SyntheticTickSource(["AAA"], rate=300, seed=1))
    node.join()
    wait_until(lambda: market.of(PriceTick), what="AAA ticks")

    assert core.counters["skipped"] == 0


def test_a_live_node_that_never_answers_delays_the_source_only_until_the_timeout(
    start_livecore, record, redis_client
):
    redis_client.sadd(nodes_active_key(), "silent")
    redis_client.set(heartbeat_key("silent"), "{}", ex=30)

    started = time.monotonic()
    core = start_livecore(
        market="us", source=SyntheticTickSource(["AAA"], rate=300, seed=1), interest_timeout=1.0
    )
    wait_until(lambda: core.counters["skipped"], what="ticks skipped: nobody wants AAA")

    assert 1.0 <= time.monotonic() - started < 10.0


def test_a_bad_price_is_dead_lettered_with_its_reason_and_never_published(start_livecore, record):
    market = record(MARKET_DATA_US)
    dead = record(DEAD_LETTER)
    bars = [
        bar("100", time=T0),
        bar("100", open="500", high="101", low="99", time=T0 + timedelta(days=1)),
        bar("100", time=T0 - timedelta(days=1)),
        bar("102", time=T0 + timedelta(days=2)),
    ]
    core = start_livecore(market="us", source=BarReplaySource([bars]), publish_all=True)

    bad, late = sorted(dead.wait_for(DeadLetter, 2), key=lambda letter: letter.reason)
    wait_until(lambda: len(market.of(PriceBar)) == 2, what="the two good bars")

    assert [price_update(m).time for m in market.of(PriceBar)] == [T0, T0 + timedelta(days=2)]
    assert bad.reason == "bad price, not published: open 500 is above high 101"
    assert (bad.topic, bad.original_key) == (MARKET_DATA_US, b"AAA")
    assert price_update(decode(bad.original)) == bars[1]  # type: ignore[arg-type]
    assert late.reason.startswith("bad price, not published: time 2024-01-01T00:00:00+00:00")
    assert core.counters["refused"] == 2
