"""Upstream: monitoring.management.commands.run_notifications, trading.management.commands.run_livecore, trading.management.commands.run_node, trading.node_worker
Downstream: monitoring.metrics
Role: the --metrics-port option of the long-running processes (default: the GINKGO_METRICS_PORT setting) and the /metrics server it starts on GINKGO_METRICS_ADDR (loopback unless told otherwise), with the line that says where."""

from argparse import ArgumentParser
from collections.abc import Callable

from django.conf import settings

from monitoring.metrics import start_metrics_server


def add_metrics_port(parser: ArgumentParser) -> None:
    """Add ``--metrics-port`` to a command's options."""
    parser.add_argument(
        "--metrics-port",
        type=int,
        default=settings.GINKGO_METRICS_PORT,
        help="serve Prometheus metrics on this port "
        "(0: a free one; default: GINKGO_METRICS_PORT, unset: none)",
    )


def serve_metrics(port: int | None, say: Callable[[str], object]) -> int | None:
    """Serve this process's metrics on ``port`` (0: a free one; None: not at all) at the
    GINKGO_METRICS_ADDR address (default 127.0.0.1: this machine only) and ``say`` where:
    ``metrics on http://127.0.0.1:PORT/metrics``. Returns the port."""
    if port is None:
        return None
    addr = settings.GINKGO_METRICS_ADDR
    bound = start_metrics_server(port, addr)
    say(f"metrics on http://{addr}:{bound}/metrics")
    return bound
