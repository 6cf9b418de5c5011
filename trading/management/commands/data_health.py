"""Upstream: (entry point: python manage.py data_health)
Downstream: ginkgo_site.service_checks, trading.services.data_health
Role: thin manage.py command: prints the data stores' health as a table; exits non-zero when a check fails."""

from typing import Any

from django.core.management.base import CommandError

from ginkgo_site.service_checks import ServiceCommand
from trading.services.data_health import Health, HealthCheck, data_health

_HEADER = ("check", "health", "rows", "latest", "detail")


class Command(ServiceCommand):
    help = "Check every data store (SQL, Redis, ClickHouse if configured, the trade mirror)."
    services = ("database",)  # ClickHouse: they report it, or fall back to SQL

    def handle(self, *args: Any, **options: Any) -> None:
        checks = data_health()
        self.stdout.write(_table([_cells(check) for check in checks]))
        failed = [check.name for check in checks if check.health is Health.FAIL]
        if failed:
            raise CommandError(f"failed: {', '.join(failed)}")


def _cells(check: HealthCheck) -> tuple[str, ...]:
    return (
        check.name,
        check.health.value,
        "-" if check.rows is None else f"{check.rows:,}",
        check.latest.isoformat(timespec="seconds") if check.latest else "-",
        check.detail,
    )


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in [_HEADER, *rows]) for i in range(len(_HEADER))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [_HEADER, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)
