"""Upstream: (INSTALLED_APPS in ginkgo_site.settings)
Downstream: (none)
Role: Django app configuration of trading."""

from django.apps import AppConfig


class TradingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trading"
