"""Upstream: (Django command discovery)
Downstream: ginkgo_site.service_checks, monitoring.exposition, monitoring.notifications.config, monitoring.notifications.dispatch, monitoring.notifications.service
Role: `manage.py run_notifications`: the notification service in the foreground (optionally serving /metrics), stopping cleanly on SIGINT/SIGTERM."""

import signal
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from ginkgo_site.service_checks import ServiceCommand
from monitoring.exposition import add_metrics_port, serve_metrics
from monitoring.notifications.config import NotifyConfig
from monitoring.notifications.dispatch import Dispatcher
from monitoring.notifications.service import NotificationService


class Command(ServiceCommand):
    help = "Run the notification service: store every notice, deliver it to the sinks."
    services = ("database", "kafka")

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_metrics_port(parser)
        parser.add_argument(
            "--rules-interval",
            type=float,
            default=2.0,
            help="seconds between two checks of the node heartbeats",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            config = NotifyConfig.from_settings()
        except ValueError as exc:
            raise CommandError(f"notification settings: {exc}") from exc
        serve_metrics(options["metrics_port"], self.stdout.write)
        service = NotificationService(
            Dispatcher(config),
            lost_after=2 * settings.GINKGO_HEARTBEAT_INTERVAL,
            rules_interval=options["rules_interval"],
        )
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: service.stop())
        status = service.run()
        if status:
            raise CommandError(
                "the notification service stopped after a fatal error", returncode=status
            )
