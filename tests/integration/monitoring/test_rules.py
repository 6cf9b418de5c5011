"""Upstream: (entry point: pytest)
Downstream: monitoring.notifications.intake, monitoring.notifications.rules, scheduling.models, trading.redis_store
Role: the node rules against real Redis and PostgreSQL: late heartbeats, clean stops, deaths and returns are each announced once, across restarts of the watcher."""

import json
import time

import pytest
import redis

from monitoring.notifications.intake import IncomingNotice
from monitoring.notifications.rules import NodeWatch
from scheduling.models import ExecutionNode
from trading.redis_store import heartbeat_key, node_info_key, nodes_active_key

pytestmark = pytest.mark.django_db

LOST_AFTER = 20.0


def beat(client: redis.Redis, node_id: str, *, age: float) -> None:
    """The node's latest heartbeat, written ``age`` seconds ago."""
    client.set(
        heartbeat_key(node_id), json.dumps({"node_id": node_id, "ts": time.time() - age}), ex=30
    )
    client.sadd(nodes_active_key(), node_id)


def watcher() -> tuple[NodeWatch, list[IncomingNotice]]:
    emitted: list[IncomingNotice] = []
    return NodeWatch(emitted.append, lost_after=LOST_AFTER), emitted


def announced(emitted: list[IncomingNotice]) -> list[tuple[str, str, str]]:
    return [(n.kind, n.node_id, n.level.value) for n in emitted]


def test_a_late_heartbeat_is_announced_once_and_so_is_its_return(redis_client):
    watch, emitted = watcher()
    beat(redis_client, "n1", age=1)
    watch.tick()

    beat(redis_client, "n1", age=LOST_AFTER + 5)
    watch.tick()
    watch.tick()
    beat(redis_client, "n1", age=1)
    watch.tick()

    assert announced(emitted) == [
        ("node.heartbeat_lost", "n1", "warning"),
        ("node.recovered", "n1", "info"),
    ]
    assert "no heartbeat for 25 s" in emitted[0].message


def test_a_node_that_stops_cleanly_is_announced_as_left_not_dead(redis_client):
    watch, emitted = watcher()
    beat(redis_client, "n1", age=1)
    watch.tick()

    redis_client.delete(heartbeat_key("n1"))
    redis_client.srem(nodes_active_key(), "n1")
    redis_client.hset(node_info_key("n1"), "status", "offline")
    watch.tick()
    watch.tick()

    assert announced(emitted) == [("node.left", "n1", "info")]


def test_a_recorded_node_without_heartbeat_is_announced_dead_once_across_restarts(redis_client):
    ExecutionNode.objects.create(node_id="n3")
    first, first_emitted = watcher()
    restarted, restarted_emitted = watcher()

    first.tick()
    restarted.tick()

    assert announced(first_emitted) == [("node.dead", "n3", "critical")]
    assert restarted_emitted == []
