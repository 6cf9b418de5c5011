"""Upstream: (Python package import)
Downstream: ginkgo_site.celery
Role: loads the Celery app with Django so shared_task binds to it."""

from ginkgo_site.celery import app as celery_app

__all__ = ["celery_app"]
