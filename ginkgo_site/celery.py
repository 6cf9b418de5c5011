"""Upstream: ginkgo_site, trading.node_worker
Downstream: (none)
Role: the Celery application; configuration comes from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ginkgo_site.settings")

app = Celery("ginkgo_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task modules outside an app's tasks.py are named explicitly.
app.autodiscover_tasks(["trading.storage"])
