"""Upstream: (Django command discovery)
Downstream: ginkgo_site.service_checks, trading.bus.admin
Role: `manage.py kafka_topics --create|--list`: creates the contract topics or lists the broker's."""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from ginkgo_site.service_checks import ServiceCommand
from trading.bus.admin import BrokerUnavailable, ensure_topics, existing_topics


class Command(ServiceCommand):
    help = "Create the Kafka topics of the contract (idempotent) or list the broker's topics."
    services = ("kafka",)

    def add_arguments(self, parser: ArgumentParser) -> None:
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--create", action="store_true", help="create missing topics")
        action.add_argument("--list", action="store_true", help="list topics and partitions")
        parser.add_argument(
            "--timeout", type=float, default=15.0, help="seconds to wait for the broker"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bootstrap = settings.KAFKA_BOOTSTRAP_SERVERS
        try:
            if options["create"]:
                states = ensure_topics(
                    bootstrap, settings.GINKGO_TOPIC_NAMESPACE, timeout=options["timeout"]
                )
                for state in states:
                    verb = "created" if state.created else "exists "
                    self.stdout.write(f"{verb}  {state.name}  ({state.partitions} partitions)")
                return
            for name, partitions in sorted(existing_topics(bootstrap, options["timeout"]).items()):
                self.stdout.write(f"{name}  ({partitions} partitions)")
        except BrokerUnavailable as exc:
            raise CommandError(str(exc)) from exc
