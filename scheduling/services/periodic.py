"""Upstream: scheduling.management.commands.setup_periodic_tasks
Downstream: (none)
Role: periodic_tasks_setup: declares the celery-beat tasks (schedule loop, heartbeat check, trade mirror, portfolio verification), upserting them by name."""

import json
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask


@dataclass(frozen=True)
class PeriodicSpec:
    name: str
    task: str
    every_seconds: int


def periodic_specs() -> tuple[PeriodicSpec, ...]:
    """The scheduler's periodic tasks: the loop every GINKGO_SCHEDULE_INTERVAL, the
    heartbeat check every GINKGO_HEARTBEAT_INTERVAL (whole seconds, at least one)."""
    return (
        PeriodicSpec(
            "scheduling: schedule loop",
            "scheduling.tasks.schedule_run_task",
            max(1, round(settings.GINKGO_SCHEDULE_INTERVAL)),
        ),
        PeriodicSpec(
            "scheduling: heartbeat check",
            "scheduling.tasks.heartbeat_check_task",
            max(1, round(settings.GINKGO_HEARTBEAT_INTERVAL)),
        ),
        # Mirrors new fills into the TradeStore (ClickHouse, when configured).
        PeriodicSpec("storage: trade mirror", "trading.storage.tasks.trade_mirror_task", 5),
        # The paper twin: each running portfolio's live fills against its replay.
        PeriodicSpec("trading: verify portfolios", "trading.tasks.portfolio_verify_task", 60),
    )


@transaction.atomic
def periodic_tasks_setup() -> list[tuple[PeriodicTask, bool]]:
    """Create or update each task by name (interval, task, enabled); others are left alone.

    A run queued for longer than its interval expires: the next one is due anyway.
    Returns each task with whether it was created.
    """
    declared = []
    for spec in periodic_specs():
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=spec.every_seconds, period=IntervalSchedule.SECONDS
        )
        declared.append(
            PeriodicTask.objects.update_or_create(
                name=spec.name,
                defaults={
                    "task": spec.task,
                    "interval": interval,
                    "crontab": None,
                    "solar": None,
                    "clocked": None,
                    "one_off": False,
                    "args": json.dumps([]),
                    "kwargs": json.dumps({}),
                    "expire_seconds": spec.every_seconds,
                    "enabled": True,
                },
            )
        )
    return declared
