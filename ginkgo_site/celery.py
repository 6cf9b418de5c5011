"""Upstream: ginkgo_site, trading.node_worker
Downstream: (none)
Role: the Celery application; configuration comes from Django settings (CELERY_*); per-task log lines only at DEBUG."""

import logging
import os
from typing import Any

from celery import Celery
from celery.signals import after_setup_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ginkgo_site.settings")

app = Celery("ginkgo_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task modules outside an app's tasks.py are named explicitly.
app.autodiscover_tasks(["trading.storage"])

# Loggers that write a line for every task sent, received and finished: with the schedule
# loop and heartbeat checks every few seconds they were a third of make run's output.
PER_TASK_LOGGERS = ("celery.beat", "celery.worker.strategy", "celery.app.trace")


@after_setup_logger.connect
def _per_task_lines_at_debug(loglevel: int, **_: Any) -> None:
    """Unless the process runs at DEBUG, per-task lines are not shown (warnings still are)."""
    if loglevel > logging.DEBUG:
        for name in PER_TASK_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
