"""Upstream: (entry point: pytest)
Downstream: monitoring.collectors, scheduling.models
Role: the scheduler's counters on the api's /metrics, computed from the recorded runs in PostgreSQL: runs, moves and failovers exactly as recorded, still exact as runs settle, and left out (not broken) when the database fails."""

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any, NoReturn

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone
from prometheus_client import CollectorRegistry, Metric
from prometheus_client.parser import text_string_to_metric_families

from monitoring.collectors import SchedulerRecordCollector
from scheduling.models import RunOutcome, RunTrigger, SchedulingRun

pytestmark = pytest.mark.django_db

Series = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def recorded_run(
    trigger: RunTrigger,
    outcome: RunOutcome,
    *moves: tuple[str, str | None, str | None, str],
    age: timedelta = timedelta(0),
) -> SchedulingRun:
    """A run as run_finish leaves it, finished ``age`` ago; ``moves`` are (portfolio, from,
    to, reason)."""
    finished = None if outcome == RunOutcome.RUNNING else timezone.now() - age
    keys = ("portfolio_id", "from_node", "to_node", "reason")
    return SchedulingRun.objects.create(
        trigger=trigger,
        outcome=outcome,
        finished_at=finished,
        moves=[dict(zip(keys, move, strict=True)) for move in moves],
        moves_count=len(moves),
    )


def scheduler_series(families: Iterable[Metric]) -> Series:
    """(sample name, sorted labels) -> value of every ginkgo_scheduler_* sample."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in families
        if family.name.startswith("ginkgo_scheduler_")
        for sample in family.samples
    }


def scraped() -> Series:
    """The scheduler's series as the api's /metrics serves them."""
    response = Client().get("/metrics")
    assert response.status_code == 200
    return scheduler_series(text_string_to_metric_families(response.content.decode()))


def collected(collector: SchedulerRecordCollector) -> Series:
    """What ``collector`` reports now."""
    registry = CollectorRegistry()
    registry.register(collector)
    return scheduler_series(registry.collect())


def runs(trigger: str, outcome: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return ("ginkgo_scheduler_runs_total", (("outcome", outcome), ("trigger", trigger)))


def moves(reason: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return ("ginkgo_scheduler_moves_total", (("reason", reason),))


FAILOVERS = ("ginkgo_scheduler_failovers_total", ())
RECORD_UP = ("ginkgo_scheduler_record_up", ())


@pytest.fixture
def history() -> None:
    """Runs of every kind, just finished; one still running (not counted yet)."""
    recorded_run(RunTrigger.BEAT, RunOutcome.OK, ("p1", None, "n1", "new"))
    recorded_run(RunTrigger.BEAT, RunOutcome.OK)
    recorded_run(RunTrigger.BEAT, RunOutcome.SKIPPED_LOCKED)
    recorded_run(RunTrigger.BEAT, RunOutcome.FAILED)
    # n1 died: p1 went to n2, p2 had nowhere to go; n3 died too, its p3 found no room.
    recorded_run(
        RunTrigger.HEARTBEAT_CHECK,
        RunOutcome.OK,
        ("p1", "n1", "n2", "orphaned"),
        ("p2", "n1", None, "orphaned"),
        ("p3", "n3", None, "orphaned"),
        ("p4", "n2", None, "removed"),
    )
    recorded_run(RunTrigger.API, RunOutcome.OK, ("p1", "n2", "n4", "manual"))
    recorded_run(RunTrigger.BEAT, RunOutcome.RUNNING)


EXPECTED: Series = {
    runs("beat", "ok"): 2.0,
    runs("beat", "skipped-locked"): 1.0,
    runs("beat", "failed"): 1.0,
    runs("heartbeat-check", "ok"): 1.0,
    runs("api", "ok"): 1.0,
    moves("new"): 1.0,
    moves("orphaned"): 3.0,
    moves("removed"): 1.0,
    moves("manual"): 1.0,
    FAILOVERS: 1.0,
    RECORD_UP: 1.0,
}


def test_metrics_counts_every_recorded_run_its_moves_and_failovers(history):
    assert scraped() == EXPECTED


def test_runs_finished_long_before_the_first_scrape_are_counted_once_and_kept(history):
    recorded_run(RunTrigger.BEAT, RunOutcome.OK, ("p5", None, "n1", "new"), age=timedelta(days=3))
    recorded_run(RunTrigger.MANUAL, RunOutcome.FAILED, age=timedelta(hours=1))
    collector = SchedulerRecordCollector()
    expected = {
        **EXPECTED,
        runs("beat", "ok"): 3.0,
        runs("manual", "failed"): 1.0,
        moves("new"): 2.0,
    }

    assert collected(collector) == expected
    assert collected(collector) == expected


def test_the_counts_stay_exact_while_runs_settle_and_new_ones_finish(history):
    # Settling at once: every scrape moves what finished since the last into the kept tally.
    collector = SchedulerRecordCollector(settle=timedelta(0))
    assert collected(collector) == EXPECTED
    assert collected(collector) == EXPECTED

    recorded_run(RunTrigger.HEARTBEAT_CHECK, RunOutcome.OK, ("p2", "n1", "n2", "orphaned"))
    run = SchedulingRun.objects.get(outcome=RunOutcome.RUNNING)
    run.outcome, run.finished_at = RunOutcome.OK, timezone.now()
    run.save()

    assert collected(collector) == {
        **EXPECTED,
        runs("beat", "ok"): 3.0,
        runs("heartbeat-check", "ok"): 2.0,
        moves("orphaned"): 4.0,
        FAILOVERS: 2.0,
    }
    assert collected(SchedulerRecordCollector()) == collected(collector)


def test_with_the_database_down_metrics_answers_without_the_record_series(history, caplog):
    def refuse(*args: Any) -> NoReturn:
        raise OperationalError("connection refused (test)")

    with caplog.at_level(logging.WARNING), connection.execute_wrapper(refuse):
        response = Client().get("/metrics")

    assert response.status_code == 200
    text = response.content.decode()
    assert scheduler_series(text_string_to_metric_families(text)) == {RECORD_UP: 0.0}
    assert "# TYPE ginkgo_scheduler_runs_total counter" in text
    assert "ginkgo_live_state_up 0.0" in text
    assert "# TYPE ginkgo_portfolio_orders_total counter" in text  # the process's own series
    assert "the database failed" in caplog.text
    assert scraped() == EXPECTED  # back as soon as the database is
