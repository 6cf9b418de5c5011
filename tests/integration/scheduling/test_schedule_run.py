"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, scheduling.models, scheduling.plan_store, scheduling.selectors, scheduling.services.assignments, scheduling.services.schedule, tests.integration.bus.helpers, tests.integration.scheduling.kit, trading.bus.codec, trading.bus.messages, trading.bus.producer, trading.bus.topics, trading.redis_store
Role: the schedule run against real services: placing, publishing once per changed node, the lock, rebuilding after Redis lost the plans, Redis failures, a failed run changing no plan set and publishing nothing (or repaired by the next run), runs and moves counted."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
import redis
from django.db import OperationalError, connection
from django.utils import timezone

from ginkgo_site.devstack.waiting import wait_until
from scheduling import plan_store
from scheduling.models import Assignment, ExecutionNode, RunOutcome, RunTrigger, SchedulingRun
from scheduling.selectors import schedule_plan_get
from scheduling.services import assignments, schedule
from scheduling.services.schedule import heartbeat_check, schedule_run
from tests.integration.bus.helpers import TopicRecorder
from tests.integration.scheduling.kit import (
    announce,
    counted,
    recorded,
    redis_plan,
    running,
    updates_for,
)
from trading.bus.codec import to_ns
from trading.bus.messages import ScheduleUpdate
from trading.bus.producer import BusProducer
from trading.bus.topics import SCHEDULE_UPDATES
from trading.redis_store import nodes_active_key

NODES = ("n1", "n2")


def placed_once(client: redis.Redis, nodes: tuple[str, ...]) -> dict[str, str]:
    """Portfolio -> node from the Redis plan sets, failing when one is on two nodes."""
    located: dict[str, str] = {}
    for node_id in nodes:
        for pid in redis_plan(client, node_id):
            assert pid not in located, f"{pid} on {located[pid]} and {node_id}"
            located[pid] = node_id
    return located


def test_a_run_places_running_portfolios_on_live_nodes_and_announces_each_node(
    db, services, record
):
    updates = record(SCHEDULE_UPDATES)
    for node_id in NODES:
        announce(services, node_id)
    running("p1", "p2", "p3")
    runs = counted("ginkgo_scheduler_runs", trigger="beat", outcome="ok")
    new_moves = counted("ginkgo_scheduler_moves", reason="new")

    run = schedule_run(trigger=RunTrigger.BEAT)

    assert run.outcome == RunOutcome.OK, run.error
    assert counted("ginkgo_scheduler_runs", trigger="beat", outcome="ok") == runs + 1
    assert counted("ginkgo_scheduler_moves", reason="new") == new_moves + 3
    located = placed_once(services, NODES)
    assert sorted(located) == ["p1", "p2", "p3"]
    assert sorted(len(redis_plan(services, n)) for n in NODES) == [1, 2]
    assert recorded() == located
    assert run.moves_count == 3 and {m["reason"] for m in run.moves} == {"new"}
    assert run.changed_nodes == list(NODES)
    received = updates.wait_for(ScheduleUpdate, count=2)
    assert {(u.node_id, frozenset(u.portfolio_ids)) for u in received} == {
        (n, frozenset(redis_plan(services, n))) for n in NODES
    }
    assert all(u.source == "scheduler" for u in received)
    node = ExecutionNode.objects.get(pk="n1")
    assert (node.status, node.host) == ("active", "n1.test")


def test_a_stopped_portfolio_is_not_placed_and_a_stopping_one_leaves_its_node(db, services):
    announce(services, "n1")
    (p1,) = running("p1")
    schedule_run(trigger=RunTrigger.BEAT)

    p1.desired_state = "stopped"
    p1.save()
    run = schedule_run(trigger=RunTrigger.BEAT)

    assert redis_plan(services, "n1") == set()
    assert recorded() == {}
    assert run.moves == [
        {"portfolio_id": "p1", "from_node": "n1", "to_node": None, "reason": "removed"}
    ]


def test_a_second_run_without_change_publishes_nothing(
    db, services, record, publisher: BusProducer
):
    updates = record(SCHEDULE_UPDATES)
    for node_id in NODES:
        announce(services, node_id)
    running("p1", "p2", "p3")
    schedule_run(trigger=RunTrigger.BEAT)
    updates.wait_for(ScheduleUpdate, count=2)

    second = schedule_run(trigger=RunTrigger.BEAT)

    assert second.outcome == RunOutcome.OK
    assert (second.moves_count, second.changed_nodes) == (0, [])
    assert all(len(updates) == 1 for updates in published(publisher, updates).values())


def test_a_run_whose_record_fails_changes_no_plan_set_publishes_nothing_and_the_next_acts(
    db, services, record, publisher: BusProducer, monkeypatch
):
    updates = record(SCHEDULE_UPDATES)
    for node_id in NODES:
        announce(services, node_id)
    running("p1", "p2")
    schedule_run(trigger=RunTrigger.BEAT)
    updates.wait_for(ScheduleUpdate, count=2)
    told = placed_once(services, NODES)
    running("p3", "p4")
    monkeypatch.setattr(assignments, "assignments_record", _locked)

    failed = schedule_run(trigger=RunTrigger.BEAT)

    assert failed.outcome == RunOutcome.FAILED and "database is locked" in failed.error
    assert placed_once(services, NODES) == told == recorded() == plan_view()
    assert all(len(sent) == 1 for sent in published(publisher, updates).values())

    monkeypatch.undo()
    next_run = schedule_run(trigger=RunTrigger.BEAT)

    assert next_run.outcome == RunOutcome.OK and next_run.moves_count == 2
    assert sorted(placed_once(services, NODES)) == ["p1", "p2", "p3", "p4"]
    assert placed_once(services, NODES) == recorded() == plan_view()


def test_a_run_whose_commit_fails_after_the_redis_write_is_repaired_by_the_next_run(
    db, services, monkeypatch
):
    for node_id in NODES:
        announce(services, node_id)
    running("p1", "p2")
    schedule_run(trigger=RunTrigger.BEAT)
    running("p3")
    write = plan_store.plans_write

    def written_then_lost(plans: Any) -> None:
        write(plans)
        raise OperationalError("the commit failed")  # Redis holds the plan, the record not

    monkeypatch.setattr(plan_store, "plans_write", written_then_lost)
    failed = schedule_run(trigger=RunTrigger.BEAT)
    told = placed_once(services, NODES)
    assert failed.outcome == RunOutcome.FAILED and "p3" in told and "p3" not in plan_view()

    monkeypatch.undo()
    repaired = schedule_run(trigger=RunTrigger.BEAT)

    # The nodes act on what Redis told them: the record catches up, nothing moves.
    assert repaired.outcome == RunOutcome.OK and repaired.changed_nodes == []
    assert placed_once(services, NODES) == told == recorded() == plan_view()
    reconciled = Assignment.objects.get(portfolio_id="p3", until__isnull=True)
    assert reconciled.reason == "reconcile"


@pytest.mark.django_db(transaction=True)
def test_of_two_concurrent_runs_only_one_acts(services, monkeypatch):
    for node_id in NODES:
        announce(services, node_id)
    running("p1", "p2", "p3")
    inside, release = threading.Event(), threading.Event()
    real_place = schedule.place

    def held_place(*args: Any, **kwargs: Any) -> Any:
        inside.set()  # the first run holds the lock and is deciding
        release.wait(30)
        return real_place(*args, **kwargs)

    monkeypatch.setattr(schedule, "place", held_place)
    first: list[SchedulingRun] = []
    thread = threading.Thread(target=_in_thread(lambda: first.append(_beat())))
    thread.start()
    assert inside.wait(30)
    skipped = counted("ginkgo_scheduler_runs", trigger="beat", outcome="skipped-locked")

    second = schedule_run(trigger=RunTrigger.BEAT)
    release.set()
    thread.join(30)

    assert second.outcome == RunOutcome.SKIPPED_LOCKED
    assert counted("ginkgo_scheduler_runs", trigger="beat", outcome="skipped-locked") == (
        skipped + 1
    )
    assert first[0].outcome == RunOutcome.OK and first[0].moves_count == 3
    assert sorted(placed_once(services, NODES)) == ["p1", "p2", "p3"]
    assert len(recorded()) == 3
    # Released by its token: the next run takes the lock.
    assert schedule_run(trigger=RunTrigger.BEAT).outcome == RunOutcome.OK


def test_after_redis_lost_everything_the_plan_is_rebuilt_from_the_assignments(
    db, services, redis_prefix
):
    for node_id in NODES:
        announce(services, node_id)
    running("p1", "p2", "p3", "p4")
    schedule_run(trigger=RunTrigger.BEAT)
    before = recorded()
    services.delete(*services.scan_iter(match=f"{redis_prefix}*"))

    run = schedule_run(trigger=RunTrigger.BEAT)

    assert run.outcome == RunOutcome.OK, run.error
    assert run.moves_count == 0
    assert placed_once(services, NODES) == before == recorded()
    assert any("Redis was empty" in w for w in run.warnings)
    assert set(ExecutionNode.objects.values_list("status", flat=True)) == {"active"}


def test_when_nodes_reannounce_before_the_run_the_lost_plan_comes_back_unchanged(
    db, services, redis_prefix
):
    for node_id in NODES:
        announce(services, node_id)
    running("p1", "p2", "p3", "p4")
    schedule_run(trigger=RunTrigger.BEAT)
    before = recorded()
    services.delete(*services.scan_iter(match=f"{redis_prefix}*"))
    for node_id in NODES:
        announce(services, node_id)

    run = heartbeat_check()  # nothing changed among the nodes: the beat repairs it
    repaired = schedule_run(trigger=RunTrigger.BEAT)

    assert run is None
    assert repaired.moves_count == 0 and repaired.changed_nodes == list(NODES)
    assert placed_once(services, NODES) == before


def test_unreadable_plans_are_rebuilt_from_the_assignments_and_the_run_goes_on(
    db, services, monkeypatch
):
    for node_id in NODES:
        announce(services, node_id)
    running("p1", "p2")
    schedule_run(trigger=RunTrigger.BEAT)
    before = recorded()
    monkeypatch.setattr(plan_store, "plans_read", _failing)

    run = schedule_run(trigger=RunTrigger.BEAT)

    assert run.outcome == RunOutcome.OK
    assert run.moves_count == 0
    assert any("plans unreadable" in w for w in run.warnings)
    assert placed_once(services, NODES) == before == recorded()


def test_with_redis_down_no_node_is_declared_dead_and_the_failed_run_is_recorded(
    db, services, settings
):
    for node_id in NODES:
        announce(services, node_id)
    running("p1", "p2")
    schedule_run(trigger=RunTrigger.BEAT)
    before = recorded()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    failed = counted("ginkgo_scheduler_runs", trigger="beat", outcome="failed")

    checked = heartbeat_check()
    run = schedule_run(trigger=RunTrigger.BEAT)

    assert checked is None
    assert set(ExecutionNode.objects.values_list("status", flat=True)) == {"active"}
    assert run.outcome == RunOutcome.FAILED and run.error
    assert counted("ginkgo_scheduler_runs", trigger="beat", outcome="failed") == failed + 1
    assert recorded() == before


def test_nodes_active_loses_a_node_whose_heartbeat_is_gone(db, services):
    announce(services, "n1")
    services.sadd(nodes_active_key(), "ghost")

    schedule_run(trigger=RunTrigger.BEAT)

    assert services.smembers(nodes_active_key()) == {b"n1"}


def published(publisher: BusProducer, updates: TopicRecorder) -> dict[str, list[list[str]]]:
    """Every node's schedule updates so far (portfolio lists), complete: a marker per node,
    keyed like the node's updates, follows anything published on that node's partition, so
    once the markers are in, nothing else came."""
    for node_id in NODES:
        marker = ScheduleUpdate(ts=to_ns(timezone.now()), node_id=node_id, portfolio_ids=["-"])
        publisher.publish(SCHEDULE_UPDATES, marker)
    publisher.flush()
    wait_until(lambda: all(updates_for(updates, n)[-1:] == [["-"]] for n in NODES), what="markers")
    return {n: [pids for pids in updates_for(updates, n) if pids != ["-"]] for n in NODES}


def plan_view() -> dict[str, str]:
    """Portfolio -> node as /api/schedule/plan shows it."""
    return {
        pid: view.node.node_id for view in schedule_plan_get().nodes for pid in view.portfolio_ids
    }


def _locked(**kwargs: Any) -> Any:
    raise OperationalError("database is locked")


def _beat() -> SchedulingRun:
    return schedule_run(trigger=RunTrigger.BEAT)


def _in_thread(work: Callable[[], None]) -> Callable[[], None]:
    def target() -> None:
        try:
            work()
        finally:
            connection.close()  # the thread's own connection, before the test database goes

    return target


def _failing(*args: Any, **kwargs: Any) -> Any:
    raise redis.ConnectionError("Redis is away")
