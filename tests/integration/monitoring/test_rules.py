"""Upstream: (entry point: pytest)
Downstream: monitoring.notifications.intake, monitoring.notifications.rules, scheduling.models, scheduling.services.nodes, tests.integration.monitoring.kit, tests.integration.scheduling.kit, trading.redis_store
Role: the node rules against real Redis and PostgreSQL: late heartbeats, and clean stops, deaths and returns as the heartbeat check declares them, are each announced once, across restarts of the watcher."""

import json
import time
from datetime import timedelta

import pytest
import redis

from monitoring.notifications.intake import IncomingNotice
from monitoring.notifications.rules import NodeWatch
from scheduling.models import ExecutionNode
from scheduling.services.nodes import nodes_sync
from tests.integration.monitoring.kit import dead_node
from tests.integration.scheduling.kit import withdraw
from trading.redis_store import heartbeat_key, nodes_active_key

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


def test_a_node_that_stops_cleanly_is_announced_as_left_once_the_check_says_so(redis_client):
    watch, emitted = watcher()
    beat(redis_client, "n1", age=1)
    nodes_sync()
    watch.tick()

    withdraw(redis_client, "n1")
    watch.tick()  # the key is gone, the heartbeat check has not spoken yet: nothing to say
    before_the_check = list(emitted)
    nodes_sync()
    watch.tick()
    watch.tick()

    assert before_the_check == []
    assert ExecutionNode.objects.get(pk="n1").status == "left"
    assert announced(emitted) == [("node.left", "n1", "info")]


def test_a_node_is_announced_dead_once_the_check_declared_it_once_across_restarts(redis_client):
    beat(redis_client, "n3", age=1)
    nodes_sync()
    first, first_emitted = watcher()
    restarted, restarted_emitted = watcher()
    first.tick()

    redis_client.delete(heartbeat_key("n3"))  # as if it expired
    nodes_sync()
    first.tick()
    restarted.tick()

    assert ExecutionNode.objects.get(pk="n3").status == "dead"
    assert announced(first_emitted) == [("node.dead", "n3", "critical")]
    assert restarted_emitted == []


def test_a_death_declared_before_the_watch_saw_the_node_is_announced_but_not_an_old_one(
    redis_client, settings
):
    settings.GINKGO_NODE_FORGET_AFTER = 60
    dead_node("recent", gone=timedelta(seconds=5))
    dead_node("ancient", gone=timedelta(seconds=61))
    dead_node("parted", status="left")
    watch, emitted = watcher()

    watch.tick()
    watch.tick()

    assert sorted(announced(emitted)) == [
        ("node.dead", "recent", "critical"),
        ("node.left", "parted", "info"),
    ]


def test_a_dead_node_is_back_only_once_the_check_revived_it(redis_client):
    dead_node("n4")
    watch, emitted = watcher()
    watch.tick()

    beat(redis_client, "n4", age=1)
    watch.tick()
    still_dead = list(emitted)
    nodes_sync()
    watch.tick()

    assert announced(still_dead) == [("node.dead", "n4", "critical")]
    assert announced(emitted)[1:] == [("node.recovered", "n4", "info")]
