"""Upstream: (entry point: celery -A trading.node_worker worker --node-id X)
Downstream: ginkgo_site.celery, monitoring.exposition, trading.node.backpressure, trading.node.config, trading.node.runtime, trading.node.stale
Role: the deployment form of an execution node: a Celery worker whose bootstep runs the ExecutionNode and which also serves the node's own queue node.<id>.

    celery -A trading.node_worker worker --node-id node-1 --pool threads --concurrency 2 \\
        -n node-1@%h [--node-portfolios a,b] [--node-backpressure conflate] [--node-max-age 60]

The node runs on a thread of the worker process, started and stopped with the worker (a warm
shutdown stops it gracefully, as Ctrl+C does `manage.py run_node`). The worker consumes only
``node.<id>``: tasks sent there reach this node, e.g. ``app.send_task(SYNC_PLAN,
queue="node.node-1")`` makes it re-read its plan now. Use a thread (or solo) pool, so tasks
run in the process that hosts the node.
With GINKGO_METRICS_PORT set, the worker serves the node's Prometheus metrics on that port
(0: a free one, logged), as `manage.py run_node --metrics-port` does.
"""

import logging
import os
import signal
import threading
from typing import TYPE_CHECKING, Any

import click
from celery import bootsteps
from celery.worker import WorkController
from django.conf import settings

from ginkgo_site.celery import app
from monitoring.exposition import serve_metrics
from trading.node.backpressure import Policy
from trading.node.stale import DEFAULT_MAX_AGE_SECONDS

if TYPE_CHECKING:
    from trading.node.runtime import ExecutionNode

logger = logging.getLogger(__name__)

SYNC_PLAN = "trading.node.sync_plan"
STOP_TIMEOUT_MARGIN = 30.0


def node_queue(node_id: str) -> str:
    """The Celery queue of directed tasks for ``node_id``."""
    return f"node.{node_id}"


class ExecutionNodeStep(bootsteps.StartStopStep):
    """Starts the worker's ExecutionNode with the worker and stops it with the worker."""

    running: "ExecutionNode | None" = None

    def __init__(
        self,
        worker: WorkController,
        node_id: str | None = None,
        node_portfolios: str | None = None,
        node_backpressure: str = Policy.DROP.value,
        node_max_age: float = DEFAULT_MAX_AGE_SECONDS,
        **options: Any,
    ) -> None:
        if not node_id:
            raise click.UsageError("a node worker needs --node-id")
        self.node_id = node_id
        self.options = {
            "portfolios": frozenset(node_portfolios.split(",")) - {""} if node_portfolios else None,
            "policy": Policy(node_backpressure),
            "max_age": node_max_age or None,
        }
        self._thread: threading.Thread | None = None
        self._stopping = False
        # Only the node's own queue: general tasks belong to the general workers.
        worker.app.amqp.queues.select(node_queue(node_id))

    def start(self, worker: WorkController) -> None:
        # Imported once the worker has set Django up: the runtime reaches the models.
        from trading.node.config import NodeConfig
        from trading.node.runtime import ExecutionNode

        node = ExecutionNode(NodeConfig.from_settings(self.node_id, **self.options))
        ExecutionNodeStep.running = node
        serve_metrics(settings.GINKGO_METRICS_PORT, logger.info)
        self._thread = threading.Thread(target=self._run, args=(node,), name="execution-node")
        self._thread.start()

    def stop(self, worker: WorkController) -> None:
        node, thread = ExecutionNodeStep.running, self._thread
        if node is None or thread is None:
            return
        self._stopping = True
        node.stop()
        thread.join(node.config.drain_timeout + STOP_TIMEOUT_MARGIN)
        ExecutionNodeStep.running = None

    def _run(self, node: "ExecutionNode") -> None:
        if node.run() and not self._stopping:
            # A node that died must take its worker down, so the supervisor restarts both.
            logger.critical("execution node %s failed; stopping the worker", self.node_id)
            os.kill(os.getpid(), signal.SIGTERM)


@app.task(name=SYNC_PLAN)
def sync_plan() -> bool:
    """Make this worker's node re-read its plan now; False when no node runs here."""
    node = ExecutionNodeStep.running
    if node is None:
        return False
    node.request_plan_sync()
    return True


app.user_options["worker"].add(click.Option(["--node-id"], help="the execution node's id"))
app.user_options["worker"].add(
    click.Option(["--node-portfolios"], help="comma-separated fixed portfolio set (no plan)")
)
app.user_options["worker"].add(
    click.Option(
        ["--node-backpressure"],
        type=click.Choice([policy.value for policy in Policy]),
        default=Policy.DROP.value,
    )
)
app.user_options["worker"].add(
    click.Option(["--node-max-age"], type=float, default=DEFAULT_MAX_AGE_SECONDS)
)
app.steps["worker"].add(ExecutionNodeStep)
