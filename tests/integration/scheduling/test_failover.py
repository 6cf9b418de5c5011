"""Upstream: (entry point: pytest)
Downstream: monitoring.notifications.kinds, scheduling.models, scheduling.placement, scheduling.selectors, scheduling.services.node_control, scheduling.services.schedule, tests.integration.scheduling.kit, trading.bus.messages, trading.bus.topics, trading.redis_store
Role: nodes coming and going against real services: heartbeat expiry and clean stops fail portfolios over (with a failover notice, counted), pending portfolios wait for room, drained and disabled nodes are emptied."""

import redis

from monitoring.notifications import kinds
from scheduling.models import Assignment, ExecutionNode, RunOutcome, RunTrigger
from scheduling.placement import NodeStatus
from scheduling.selectors import schedule_plan_get
from scheduling.services.node_control import node_capacity_set, node_status_set
from scheduling.services.schedule import heartbeat_check, schedule_run
from tests.integration.scheduling.kit import (
    announce,
    counted,
    expire,
    recorded,
    redis_plan,
    running,
    withdraw,
)
from trading.bus.messages import NoticeLevel, Notification
from trading.bus.topics import NOTIFICATIONS
from trading.redis_store import nodes_active_key


def spread(client: redis.Redis, *node_ids: str) -> dict[str, str]:
    """Announce the nodes and place p1..p4 on them."""
    for node_id in node_ids:
        announce(client, node_id)
    running("p1", "p2", "p3", "p4")
    assert schedule_run(trigger=RunTrigger.BEAT).outcome == RunOutcome.OK
    return recorded()


def test_a_node_whose_heartbeat_expired_is_dead_and_its_portfolios_move_to_survivors(
    db, services, record
):
    before = spread(services, "n1", "n2", "n3")
    victim = before["p1"]
    orphans = {pid for pid, node in before.items() if node == victim}
    notices = record(NOTIFICATIONS)
    failovers = counted("ginkgo_scheduler_failovers")
    runs = counted("ginkgo_scheduler_runs", trigger="heartbeat-check", outcome="ok")
    moves = counted("ginkgo_scheduler_moves", reason="orphaned")
    expire(services, victim)

    run = heartbeat_check()

    assert run is not None and run.trigger == RunTrigger.HEARTBEAT_CHECK
    assert run.outcome == RunOutcome.OK
    assert ExecutionNode.objects.get(pk=victim).status == NodeStatus.DEAD
    assert victim.encode() not in services.smembers(nodes_active_key())
    assert redis_plan(services, victim) == set()
    shown = {view.node.node_id: view for view in schedule_plan_get().nodes}
    assert (shown[victim].node.status, shown[victim].portfolio_ids) == (NodeStatus.DEAD, [])
    after = recorded()
    assert after.keys() == before.keys()
    assert all(after[pid] != victim for pid in after)
    assert {pid for pid in after if after[pid] != before[pid]} == orphans
    assert {m["reason"] for m in run.moves} == {"orphaned"}
    closed = Assignment.objects.filter(node_id=victim, until__isnull=False)
    assert {(a.portfolio_id, a.end_reason) for a in closed} == {(p, "orphaned") for p in orphans}
    (notice,) = notices.wait_for(Notification)
    assert (notice.kind, notice.level, notice.node_id) == (
        kinds.FAILOVER_DONE,
        NoticeLevel.WARNING,
        victim,
    )
    assert all(f"{pid} -> {after[pid]}" in notice.message for pid in orphans)
    assert counted("ginkgo_scheduler_failovers") == failovers + 1
    assert counted("ginkgo_scheduler_runs", trigger="heartbeat-check", outcome="ok") == runs + 1
    assert counted("ginkgo_scheduler_moves", reason="orphaned") == moves + len(orphans)


def test_a_node_that_stops_cleanly_has_left_at_the_next_check_without_waiting_for_the_ttl(
    db, services
):
    announce(services, "leaver")
    announce(services, "stayer")
    running("p1", "p2")
    schedule_run(trigger=RunTrigger.BEAT)
    assert set(recorded().values()) == {"leaver", "stayer"}

    withdraw(services, "leaver")
    run = heartbeat_check()

    assert run is not None and run.outcome == RunOutcome.OK
    leaver = ExecutionNode.objects.get(pk="leaver")
    assert leaver.status == NodeStatus.LEFT and leaver.gone_at is not None
    assert recorded() == {"p1": "stayer", "p2": "stayer"}
    assert redis_plan(services, "leaver") == set()

    announce(services, "leaver")  # started again
    back = heartbeat_check()

    assert back is not None
    leaver.refresh_from_db()
    assert (leaver.status, leaver.gone_at) == (NodeStatus.ACTIVE, None)


def test_when_survivors_lack_room_the_leftovers_are_pending_with_a_notice_until_a_node_joins(
    db, services, record
):
    notices = record(NOTIFICATIONS)
    announce(services, "big", capacity=2)
    announce(services, "small", capacity=1)
    running("p1", "p2", "p3")
    schedule_run(trigger=RunTrigger.BEAT)
    orphans = sorted(pid for pid, node in recorded().items() if node == "big")
    expire(services, "big")

    failover = heartbeat_check()

    assert failover is not None
    assert failover.pending == [{"portfolio_id": p, "reason": "orphaned"} for p in orphans]
    assert set(recorded()) == {"p1", "p2", "p3"} - set(orphans)
    (notice,) = notices.wait_for(Notification)
    assert (notice.kind, notice.level, notice.source) == (
        kinds.PORTFOLIOS_PENDING,
        NoticeLevel.WARNING,
        "scheduler",
    )
    assert all(pid in notice.message for pid in orphans)

    announce(services, "joiner", capacity=1)
    joined = heartbeat_check()

    assert joined is not None and len(joined.pending) == 1
    announce(services, "joiner", capacity=2)  # the node now declares more room
    resized = heartbeat_check()

    assert resized is not None and resized.pending == []
    assert set(recorded()) == {"p1", "p2", "p3"}
    assert redis_plan(services, "joiner") == set(orphans)


def test_pending_portfolios_are_placed_when_an_operator_raises_a_capacity(db, services):
    announce(services, "n1", capacity=1)
    running("p1", "p2")
    first = schedule_run(trigger=RunTrigger.BEAT)
    assert first.pending == [{"portfolio_id": "p2", "reason": "new"}]

    change = node_capacity_set(actor=None, node_id="n1", capacity=2)
    announce(services, "n1", capacity=1)
    again = schedule_run(trigger=RunTrigger.BEAT)

    # The operator's limit outlives what the node keeps declaring.
    assert (change.node.capacity, change.node.declared_capacity) == (2, 1)
    assert change.run.outcome == RunOutcome.OK and change.run.pending == []
    assert again.moves == [] and again.pending == []
    assert redis_plan(services, "n1") == {"p1", "p2"}


def test_draining_and_disabled_nodes_are_emptied_and_take_nothing_new(db, services):
    before = spread(services, "n1", "n2", "n3")

    drained = node_status_set(actor=None, node_id="n1", status=NodeStatus.DRAINING)
    disabled = node_status_set(actor=None, node_id="n2", status=NodeStatus.DISABLED)
    running("p5")
    later = schedule_run(trigger=RunTrigger.BEAT)

    assert drained.node.status == NodeStatus.DRAINING
    assert {m["reason"] for m in drained.run.moves} == {"draining"}
    assert {m["reason"] for m in disabled.run.moves} == {"disabled"}
    assert later.outcome == RunOutcome.OK
    assert redis_plan(services, "n1") == redis_plan(services, "n2") == set()
    assert recorded() == dict.fromkeys([*before, "p5"], "n3")

    enabled = node_status_set(actor=None, node_id="n1", status=NodeStatus.ACTIVE)

    # Back to active, it takes new work; nothing healthy moves to fill it.
    assert enabled.node.status == NodeStatus.ACTIVE and enabled.run.moves == []
