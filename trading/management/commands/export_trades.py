"""Upstream: (entry point: python manage.py export_trades)
Downstream: ginkgo_site.service_checks, trading.core.ports, trading.services.storage, trading.storage.progress, trading.storage.trade_csv
Role: thin manage.py command: writes trade history (one portfolio or all, a date range) to a CSV file, with progress."""

import sys
from argparse import ArgumentParser
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from ginkgo_site.service_checks import ServiceCommand
from trading.core.ports import StoreUnavailable
from trading.services.storage import trade_source
from trading.storage.progress import Progress
from trading.storage.trade_csv import trades_csv_write


class Command(ServiceCommand):
    help = "Export trade history to a CSV file (from ClickHouse when configured, else the SQL database)."
    services = ("database",)  # ClickHouse: they report it, or fall back to SQL

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE")
        parser.add_argument("--portfolio", help="portfolio id (default: every portfolio)")
        parser.add_argument("--from", dest="start", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", help="last day (included), YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        portfolio = options["portfolio"]
        start = _day("--from", options["start"])
        end = _day("--to", options["end"])
        if end is not None:
            end += timedelta(days=1)
        path: Path = options["file"]
        try:
            source = trade_source(portfolio_id=portfolio, start=start, end=end)
            with (
                path.open("w", newline="", encoding="utf-8") as out,
                Progress(sys.stderr, path.name, source.total, unit="trades") as progress,
            ):
                written = trades_csv_write(
                    out, source.store.trades(portfolio, start, end), progress.advance
                )
        except StoreUnavailable as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from None
        self.stdout.write(f"{path}: {written} trade(s) from the {source.store.name} store")


def _day(option: str, text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.combine(datetime.strptime(text, "%Y-%m-%d").date(), time(), UTC)
    except ValueError:
        raise CommandError(f"{option} expects a date YYYY-MM-DD, got {text!r}") from None
