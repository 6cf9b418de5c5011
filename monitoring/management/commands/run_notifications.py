"""Upstream: (Django command discovery)
Downstream: monitoring.metrics, monitoring.notifications.config, monitoring.notifications.dispatch, monitoring.notifications.service
Role: `manage.py run_notifications`: the notification service in the foreground (optionally serving /metrics), stopping cleanly on SIGINT/SIGTERM."""

import signal
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from monitoring.metrics import start_metrics_server
from monitoring.notifications.config import NotifyConfig
from monitoring.notifications.dispatch import Dispatcher
from monitoring.notifications.service import NotificationService


class Command(BaseCommand):
    help = "Run the notification service: store every notice, deliver it to the sinks."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--metrics-port",
            type=int,
            help="serve Prometheus metrics on this port (0: a free one; default: none)",
        )
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
        if options["metrics_port"] is not None:
            port = start_metrics_server(options["metrics_port"])
            self.stdout.write(f"metrics on http://0.0.0.0:{port}/metrics")
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
