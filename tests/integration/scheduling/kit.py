"""Upstream: (entry point: pytest, imported by the scheduling tests)
Downstream: scheduling.models, tests.integration.bus.helpers, trading.bus.messages, trading.models, trading.redis_store
Role: the scheduling tests' kit: running portfolios, nodes announcing themselves in Redis, reads of the plan sets, the record and the scheduler counters as the api's /metrics reports them."""

import json
import time
from decimal import Decimal

import redis
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from scheduling.models import Assignment
from tests.integration.bus.helpers import TopicRecorder, wait_until
from trading.bus.messages import ScheduleUpdate
from trading.models import DesiredState, Portfolio
from trading.redis_store import heartbeat_key, node_info_key, nodes_active_key, plan_key


def running(*portfolio_ids: str) -> list[Portfolio]:
    """Stored portfolios that should run."""
    return [
        Portfolio.objects.create(
            portfolio_id=pid,
            name=pid,
            initial_capital=Decimal(1000),
            strategy={"name": "sma_cross", "params": {}},
            desired_state=DesiredState.RUNNING,
        )
        for pid in portfolio_ids
    ]


def announce(
    client: redis.Redis, node_id: str, *, capacity: int | None = None, ttl_ms: int = 30_000
) -> None:
    """Heartbeat like a node does (SET with a TTL, SADD nodes:active)."""
    beat: dict[str, object] = {"node_id": node_id, "ts": time.time(), "host": f"{node_id}.test"}
    if capacity is not None:
        beat["capacity"] = capacity
    client.set(heartbeat_key(node_id), json.dumps(beat), px=ttl_ms)
    client.sadd(nodes_active_key(), node_id)


def withdraw(client: redis.Redis, node_id: str) -> None:
    """Stop cleanly like a node does (trading.node.presence): no heartbeat, out of
    nodes:active, ``offline`` in its info hash, at once."""
    with client.pipeline(transaction=True) as pipe:
        pipe.delete(heartbeat_key(node_id))
        pipe.srem(nodes_active_key(), node_id)
        pipe.hset(node_info_key(node_id), "status", "offline")
        pipe.execute()


def expire(client: redis.Redis, node_id: str) -> None:
    """Let the node's heartbeat run out for real (a 1 ms TTL) and wait until it is gone."""
    client.pexpire(heartbeat_key(node_id), 1)
    wait_until(lambda: not client.exists(heartbeat_key(node_id)), what=f"{node_id} expired")


def redis_plan(client: redis.Redis, node_id: str) -> set[str]:
    """``schedule:plan:{node}`` as Redis holds it."""
    return {member.decode() for member in client.smembers(plan_key(node_id))}


def recorded() -> dict[str, str]:
    """Portfolio id -> node of the current assignments."""
    rows = Assignment.objects.filter(until__isnull=True)
    return dict(rows.values_list("portfolio_id", "node_id"))


def counted(counter: str, **labels: str) -> float:
    """What the api's /metrics says now of a counter (``ginkgo_scheduler_runs`` ...) with
    ``labels``, 0 when it has no such series."""
    scraped = Client().get("/metrics")
    assert scraped.status_code == 200
    for family in text_string_to_metric_families(scraped.content.decode()):
        for sample in family.samples:
            if sample.name == f"{counter}_total" and sample.labels == labels:
                return sample.value
    return 0.0


def updates_for(recorder: TopicRecorder, node_id: str) -> list[list[str]]:
    """The portfolio lists of the schedule updates recorded for a node, in order."""
    return [u.portfolio_ids for u in recorder.of(ScheduleUpdate) if u.node_id == node_id]
