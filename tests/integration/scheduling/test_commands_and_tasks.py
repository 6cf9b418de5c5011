"""Upstream: (entry point: pytest)
Downstream: scheduling.models, scheduling.services.periodic, scheduling.tasks, tests.integration.api.factories, tests.integration.scheduling.kit, trading.bus.topics
Role: the scheduler's manage.py commands and Celery tasks: periodic tasks upserted by name, a run, a migration and a reload from the command line."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from scheduling.models import RunTrigger, SchedulingRun
from scheduling.services.periodic import periodic_specs
from scheduling.tasks import heartbeat_check_task, schedule_run_task
from tests.integration.api.factories import command_for
from tests.integration.scheduling.kit import announce, expire, recorded, running
from trading.bus.topics import CONTROL_COMMANDS


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_setup_periodic_tasks_upserts_by_name_and_leaves_other_tasks_alone(db, settings):
    other = PeriodicTask.objects.create(
        name="someone else's",
        task="x.y",
        interval=IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS),
    )
    run("setup_periodic_tasks")
    loop = PeriodicTask.objects.get(name=periodic_specs()[0].name)
    loop.enabled = False
    loop.save()
    settings.GINKGO_SCHEDULE_INTERVAL = 15.0

    output = run("setup_periodic_tasks")

    ours = PeriodicTask.objects.exclude(pk=other.pk).order_by("name")
    assert [t.task for t in ours] == [
        "scheduling.tasks.heartbeat_check_task",
        "scheduling.tasks.schedule_run_task",
        "trading.storage.tasks.trade_mirror_task",
        "trading.tasks.portfolio_verify_task",
    ]
    loop.refresh_from_db()
    assert (loop.enabled, loop.interval.every, loop.interval.period) == (True, 15, "seconds")
    assert ours.get(task__endswith="heartbeat_check_task").interval.every == 10
    assert PeriodicTask.objects.filter(pk=other.pk).exists()
    assert output.count("updated") == 4


def test_the_tasks_run_the_schedule_and_the_heartbeat_check(db, services):
    announce(services, "n1")
    announce(services, "n2")
    running("p1", "p2")

    schedule_run_task()
    expire(services, recorded()["p1"])
    heartbeat_check_task()

    triggers = list(SchedulingRun.objects.values_list("trigger", "outcome"))
    assert triggers == [(RunTrigger.HEARTBEAT_CHECK, "ok"), (RunTrigger.BEAT, "ok")]
    assert len(set(recorded().values())) == 1


def test_schedule_run_command_prints_the_moves(db, services):
    announce(services, "n1")
    running("p1")

    output = run("schedule_run")

    assert "p1: - -> n1 (new)" in output
    assert SchedulingRun.objects.get().trigger == RunTrigger.MANUAL


def test_portfolio_migrate_command_moves_one_portfolio(db, services):
    announce(services, "n1")
    running("p1")
    run("schedule_run")
    announce(services, "n2")

    output = run("portfolio_migrate", "p1", "--to", "n2")

    assert "p1: n1 -> n2" in output
    assert recorded() == {"p1": "n2"}
    with pytest.raises(CommandError, match="no node"):
        run("portfolio_migrate", "p1", "--to", "ghost")


def test_portfolio_reload_command_publishes_the_current_version(
    db, services, record, django_capture_on_commit_callbacks
):
    commands = record(CONTROL_COMMANDS)
    (portfolio,) = running("p1")
    portfolio.version = 3
    portfolio.save()

    with django_capture_on_commit_callbacks(execute=True):
        output = run("portfolio_reload", "p1")

    command = command_for(commands, "portfolio.reload", "p1")
    assert command.version == 3
    assert "p1 v3" in output
    with pytest.raises(CommandError):
        run("portfolio_reload", "nope")
