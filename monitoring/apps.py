"""Upstream: (INSTALLED_APPS in ginkgo_site.settings)
Downstream: (none)
Role: Django app configuration of monitoring."""

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"
