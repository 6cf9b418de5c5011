"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, trading.bus.messages, trading.bus.topics, trading.livecore.sources
Role: the DataManager publishes only what some node wants, keyed by symbol, on its market's topic."""

import time

from ginkgo_site.devstack.waiting import wait_until
from trading.bus.messages import InterestSyncRequest, InterestUpdate, NodeOffline, PriceTick
from trading.bus.topics import MARKET_DATA_US, SYSTEM_EVENTS
from trading.livecore.sources import SyntheticTickSource


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
