"""Upstream: (Django command discovery; run by the make run launcher)
Downstream: ginkgo_site.service_checks, trading.core.errors, trading.livecore.sources, trading.services.demo
Role: `manage.py seed_demo --data-dir DIR`: the demo's bar files, portfolios and admin login."""

import json
from argparse import ArgumentParser
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from ginkgo_site.service_checks import ServiceCommand
from trading.core.errors import DataError
from trading.livecore.sources import ReplaySpan
from trading.services.demo import demo_replay, demo_seed


class Command(ServiceCommand):
    help = "Seed the demo: real daily bars as CSV, six running portfolios, a demo admin."
    services = ("database",)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--data-dir", type=Path, required=True, help="where bar files go")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            seed = demo_seed(data_dir=options["data_dir"])
            replay = demo_replay(seed.bar_files)
        except (ValidationError, OSError, DataError) as exc:
            raise CommandError(f"demo seeding failed: {exc}") from exc
        result = {
            "bar_files": [str(p) for p in seed.bar_files],
            "created": seed.created,
            "username": seed.username,
            "password": seed.password,
            "token": seed.token,
            "replay": _replay_json(replay),
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(
            f"portfolios created: {', '.join(seed.created) or 'none (already seeded)'}"
        )
        self.stdout.write(f"login: {seed.username} / {seed.password}   token: {seed.token}")


def _replay_json(span: ReplaySpan) -> dict[str, Any]:
    def day(time: datetime | None) -> str | None:
        return time.date().isoformat() if time else None

    return {
        "symbols": list(span.symbols),
        "first": day(span.first),
        "last": day(span.last),
        "days": span.times,
        "resuming": span.resuming,
        "next": day(span.next_time),
    }
