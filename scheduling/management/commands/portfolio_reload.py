"""Upstream: (Django command discovery)
Downstream: ginkgo_site.service_checks, trading.services.portfolios
Role: `manage.py portfolio_reload ID`: asks the node running a portfolio to reload its current version (trading's audited reload service)."""

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import CommandError

from ginkgo_site.service_checks import ServiceCommand
from trading.services.portfolios import PortfolioConflict, portfolio_reload


class Command(ServiceCommand):
    help = "Publish portfolio.reload with the portfolio's current version."
    services = ("database", "redis", "kafka")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("portfolio_id")
        parser.add_argument("--reason", default="", help="kept in the command and the audit log")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            portfolio = portfolio_reload(
                actor=None, portfolio_id=options["portfolio_id"], reason=options["reason"]
            )
        except (ObjectDoesNotExist, PortfolioConflict) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"portfolio.reload sent for {portfolio.portfolio_id} v{portfolio.version} "
            "(a delivery failure is logged and audited as command.publish)"
        )
