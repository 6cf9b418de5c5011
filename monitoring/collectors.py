"""Upstream: monitoring.views
Downstream: monitoring.metrics, monitoring.selectors
Role: LiveStateCollector: node heartbeat ages, liveness and hosted portfolios, and portfolios by status, read from Redis and the record whenever the api's /metrics is scraped."""

import logging
from collections import Counter
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from monitoring.metrics import (
    LIVE_STATE_UP,
    NODE_ALIVE,
    NODE_HEARTBEAT_AGE,
    NODE_PORTFOLIOS,
    PORTFOLIOS_BY_STATUS,
)
from monitoring.selectors import live_overview

logger = logging.getLogger(__name__)


class LiveStateCollector(Collector):
    """The cluster as an observer sees it: a dead node cannot report its own heartbeat age,
    so the api computes these series at scrape time (register it in the api only)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        live = live_overview()
        age = GaugeMetricFamily(
            NODE_HEARTBEAT_AGE, "Seconds since the node's last heartbeat", labels=["node_id"]
        )
        alive = GaugeMetricFamily(
            NODE_ALIVE, "1 while the node's heartbeat key exists", labels=["node_id"]
        )
        hosted = GaugeMetricFamily(
            NODE_PORTFOLIOS, "Portfolios the node runs (else: is assigned)", labels=["node_id"]
        )
        for view in live.nodes:
            node_id = view.node.node_id
            if view.heartbeat_age is not None:
                age.add_metric([node_id], view.heartbeat_age)
            alive.add_metric([node_id], 1.0 if view.alive else 0.0)
            hosted.add_metric([node_id], len(live.hosted(view)))
        by_status = GaugeMetricFamily(
            PORTFOLIOS_BY_STATUS, "Portfolios by live status", labels=["status"]
        )
        for status, count in sorted(Counter(map(live.status_of, live.desired)).items()):
            by_status.add_metric([status], count)
        up = GaugeMetricFamily(LIVE_STATE_UP, "1 when Redis could be read for this scrape")
        up.add_metric([], 0.0 if live.error else 1.0)
        yield from (age, alive, hosted, by_status, up)
