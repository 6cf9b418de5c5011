"""Upstream: (entry point: python manage.py clickhouse_schema)
Downstream: ginkgo_site.service_checks, trading.core.ports, trading.storage.schema
Role: thin manage.py command: creates the ClickHouse database and tables of CLICKHOUSE_URL where missing (safe to run again)."""

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from ginkgo_site.service_checks import ServiceCommand
from trading.core.ports import StoreUnavailable
from trading.storage.schema import schema_create


class Command(ServiceCommand):
    help = "Create the ClickHouse schema (bars, trades) of CLICKHOUSE_URL; idempotent."
    services = ("clickhouse",)
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CLICKHOUSE_URL:
            raise CommandError("CLICKHOUSE_URL is empty: bars and trades live in the SQL database")
        try:
            tables = schema_create(settings.CLICKHOUSE_URL)
        except StoreUnavailable as exc:
            raise CommandError(str(exc)) from None
        for table, created in tables.items():
            self.stdout.write(f"{table}: {'created' if created else 'already there'}")
