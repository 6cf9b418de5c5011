"""Upstream: (Django command discovery)
Downstream: ginkgo_site.service_checks, scheduling.models, scheduling.services.schedule
Role: `manage.py schedule_run`: one schedule run now (optionally rebalancing), printing what it did."""

from argparse import ArgumentParser
from fractions import Fraction
from typing import Any

from django.core.management.base import CommandError

from ginkgo_site.service_checks import ServiceCommand
from scheduling.models import RunOutcome, RunTrigger
from scheduling.services.schedule import LOCK_WAIT_SECONDS, schedule_run


class Command(ServiceCommand):
    help = "Run the scheduler once: place running portfolios on live nodes."
    services = ("database", "redis", "kafka")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--rebalance", action="store_true", help="also even out the load")
        parser.add_argument(
            "--threshold", type=Fraction, help="load spread (0..1) tolerated when rebalancing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run = schedule_run(
            trigger=RunTrigger.MANUAL,
            rebalance=options["rebalance"],
            threshold=options["threshold"],
            wait=LOCK_WAIT_SECONDS,
        )
        for move in run.moves:
            self.stdout.write(
                f"{move['portfolio_id']}: {move['from_node'] or '-'} -> "
                f"{move['to_node'] or '-'} ({move['reason']})"
            )
        for pending in run.pending:
            self.stdout.write(f"{pending['portfolio_id']}: pending ({pending['reason']})")
        for warning in run.warnings:
            self.stderr.write(f"warning: {warning}")
        if run.outcome != RunOutcome.OK:
            raise CommandError(f"run {run.pk}: {run.outcome} {run.error}".rstrip())
        self.stdout.write(f"run {run.pk}: ok, {run.moves_count} move(s)")
