"""Upstream: (Django command discovery)
Downstream: ginkgo_site.service_checks, monitoring.exposition, trading.management.commands.run_livecore, trading.node.backpressure, trading.node.config, trading.node.runtime, trading.node.stale
Role: `manage.py run_node`: parses options, runs one ExecutionNode in the foreground, stops gracefully on SIGINT/SIGTERM."""

import logging
import signal
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from ginkgo_site.service_checks import ServiceCommand
from monitoring.exposition import add_metrics_port, serve_metrics
from trading.management.commands.run_livecore import _log_to_stdout
from trading.node.backpressure import Policy
from trading.node.config import NodeConfig
from trading.node.runtime import ExecutionNode
from trading.node.stale import DEFAULT_MAX_AGE_SECONDS

logger = logging.getLogger(__name__)


class Command(ServiceCommand):
    help = "Run an execution node: its portfolios, each on a thread, fed from the bus."
    services = ("database", "redis", "kafka")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--node-id", required=True, help="this node's id")
        parser.add_argument(
            "--portfolios",
            help="comma-separated portfolio ids to run (default: what the scheduler plans)",
        )
        parser.add_argument(
            "--backpressure",
            choices=[policy.value for policy in Policy],
            default=Policy.DROP.value,
            help="what a full portfolio queue does with new market data",
        )
        parser.add_argument(
            "--max-age",
            type=float,
            default=DEFAULT_MAX_AGE_SECONDS,
            help="seconds after which a price update is stale and not traded on (0: off)",
        )
        parser.add_argument(
            "--drain-timeout",
            type=float,
            default=30.0,
            help="seconds a stopping portfolio may take to work off its queue",
        )
        add_metrics_port(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        _log_to_stdout()
        fixed = options["portfolios"]
        if fixed is not None and not fixed.strip(","):
            raise CommandError("--portfolios needs at least one portfolio id")
        node = ExecutionNode(
            NodeConfig.from_settings(
                options["node_id"],
                portfolios=frozenset(fixed.split(",")) - {""} if fixed is not None else None,
                policy=Policy(options["backpressure"]),
                max_age=options["max_age"] or None,
                drain_timeout=options["drain_timeout"],
            )
        )
        serve_metrics(options["metrics_port"], logger.info)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: node.stop())
        status = node.run()
        if status:
            raise CommandError(
                "the node stopped after a fatal error (see the log)", returncode=status
            )
