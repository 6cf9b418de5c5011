"""Upstream: (INSTALLED_APPS in ginkgo_site.settings)
Downstream: (none)
Role: Django app configuration of scheduling."""

from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scheduling"
