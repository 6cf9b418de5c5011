"""Upstream: (Django command discovery)
Downstream: ginkgo_site.service_checks, scheduling.models, scheduling.services.migration, trading.selectors.live, trading.services.portfolios
Role: `manage.py portfolio_migrate ID [--to NODE]`: moves one running portfolio to another node by hand."""

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.base import CommandError

from ginkgo_site.service_checks import ServiceCommand
from scheduling.models import RunTrigger
from scheduling.services.migration import portfolio_migrate
from trading.selectors.live import LiveStateUnavailable
from trading.services.portfolios import PortfolioConflict


class Command(ServiceCommand):
    help = "Move a running portfolio to another node (default: the least-loaded one with room)."
    services = ("database", "redis", "kafka")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("portfolio_id")
        parser.add_argument("--to", dest="target_node", help="the node to move it to")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            migration = portfolio_migrate(
                actor=None,
                portfolio_id=options["portfolio_id"],
                target_node=options["target_node"],
                trigger=RunTrigger.MANUAL,
            )
        except (
            ObjectDoesNotExist,
            ValidationError,
            PortfolioConflict,
            LiveStateUnavailable,
        ) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        for warning in migration.run.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(
            f"{migration.portfolio_id}: {migration.from_node} -> {migration.to_node} "
            f"(run {migration.run.pk})"
        )
