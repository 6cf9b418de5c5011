"""Upstream: (entry point: python manage.py import_bars)
Downstream: ginkgo_site.service_checks, trading.core.errors, trading.core.ports, trading.services.bar_imports, trading.storage.bar_files, trading.storage.progress
Role: thin manage.py command: imports CSV files of bars into the configured bar store, with progress."""

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from ginkgo_site.service_checks import ServiceCommand
from trading.core.errors import DataError
from trading.core.ports import DAILY, StoreUnavailable
from trading.services.bar_imports import bars_import
from trading.storage.bar_files import DEFAULT_BATCH, data_rows
from trading.storage.progress import Progress


class Command(ServiceCommand):
    help = (
        "Import CSV files of OHLCV bars (Date[,Time],Open,High,Low,Close[,Adj Close],Volume) "
        "into the bar store; importing the same rows again does not duplicate them."
    )
    services = ("database",)  # ClickHouse: they report it, or fall back to SQL

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--symbol", help="symbol of the bars (default: each file's stem)")
        parser.add_argument("--interval", default=DAILY, help="bar interval: 1d (default), 1m, ...")
        parser.add_argument("--format", default="csv", choices=["csv"], help="file format")
        parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="rows per insert")
        parser.add_argument(
            "--skip-bad",
            action="store_true",
            help="report each bad row and import the others (default: stop at the first)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1")
        for path in options["files"]:
            skipped: list[DataError] = []
            try:
                with Progress(sys.stderr, path.name, data_rows(path)) as progress:
                    imported = bars_import(
                        path=path,
                        symbol=options["symbol"],
                        interval=options["interval"],
                        batch_size=options["batch"],
                        on_progress=progress.advance,
                        on_bad=skipped.append if options["skip_bad"] else None,
                    )
            except (DataError, StoreUnavailable, OSError) as exc:
                raise CommandError(str(exc)) from None
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from None
            for error in skipped:
                self.stderr.write(f"skipped {error}")
            done = f"{path}: {imported.rows} bar(s) into the {imported.store} store"
            self.stdout.write(done + (f", {len(skipped)} bad row(s) skipped" if skipped else ""))
