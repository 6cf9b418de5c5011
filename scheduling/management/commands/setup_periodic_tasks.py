"""Upstream: (Django command discovery)
Downstream: ginkgo_site.service_checks, scheduling.services.periodic
Role: `manage.py setup_periodic_tasks`: declares the scheduler's celery-beat tasks (idempotent, upsert by name)."""

from typing import Any

from ginkgo_site.service_checks import ServiceCommand
from scheduling.services.periodic import periodic_tasks_setup


class Command(ServiceCommand):
    help = "Create or update the scheduler's periodic tasks (schedule loop, heartbeat check)."
    services = ("database",)

    def handle(self, *args: Any, **options: Any) -> None:
        for task, created in periodic_tasks_setup():
            verb = "created" if created else "updated"
            self.stdout.write(f"{verb} {task.name!r}: {task.task} every {task.interval}")
