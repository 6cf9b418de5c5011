"""Upstream: monitoring.management.commands.run_notifications, monitoring.selectors, scheduling.management.commands.portfolio_migrate, scheduling.management.commands.portfolio_reload, scheduling.management.commands.schedule_run, scheduling.management.commands.setup_periodic_tasks, trading.management.commands.clickhouse_schema, trading.management.commands.create_user, trading.management.commands.data_health, trading.management.commands.export_trades, trading.management.commands.import_bars, trading.management.commands.kafka_topics, trading.management.commands.portfolio_verify, trading.management.commands.run_livecore, trading.management.commands.run_node, trading.management.commands.seed_demo
Downstream: ginkgo_site.devstack.errors, ginkgo_site.devstack.probes
Role: probes the services this process is configured for (from the settings), so a command whose service is away fails at once with one line, and health reports the same check.
"""

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ginkgo_site.devstack.errors import ServiceUnreachable
from ginkgo_site.devstack.probes import check_clickhouse, check_kafka, check_redis

# Seconds each probe may take; they run in parallel, so a command fails within about this.
CHECK_TIMEOUT = 2.0


def check_django_database() -> float:
    """Seconds a ``SELECT 1`` took on Django's default database, or ServiceUnreachable."""
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        db = connection.settings_dict
        where = f"{db.get('HOST') or '(local socket)'}:{db.get('PORT') or 5432}/{db['NAME']}"
        raise ServiceUnreachable("postgresql", where, str(exc)) from exc
    finally:
        # Checks may run on worker threads; do not leak their connections.
        connection.close()
    return time.perf_counter() - started


def _checks(timeout: float) -> dict[str, Callable[[], float]]:
    return {
        "database": check_django_database,
        "redis": lambda: check_redis(settings.REDIS_URL, timeout),
        "kafka": lambda: check_kafka(settings.KAFKA_BOOTSTRAP_SERVERS, timeout),
        "clickhouse": lambda: check_clickhouse(settings.CLICKHOUSE_URL, timeout),
    }


def services_check(names: Iterable[str], timeout: float = CHECK_TIMEOUT) -> None:
    """Probe the named services (database, redis, kafka, clickhouse) in parallel; raise the
    first ServiceUnreachable, in the order given. ClickHouse is skipped when not configured."""
    checks = _checks(timeout)
    wanted = [n for n in names if n != "clickhouse" or settings.CLICKHOUSE_URL]
    if not wanted:
        return
    with ThreadPoolExecutor(max_workers=len(wanted)) as pool:
        futures = [pool.submit(checks[name]) for name in wanted]
    for future in futures:
        future.result()


class ServiceCommand(BaseCommand):
    """A management command that needs services: ``services`` are probed before ``handle``,
    and one that is away stops the command with one line naming it and its address."""

    services: tuple[str, ...] = ("database",)

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            services_check(self.services)
        except ServiceUnreachable as exc:
            raise CommandError(
                f"{exc} (start `make run`, or set its URL: see .env.example)"
            ) from exc
        return super().execute(*args, **options)
