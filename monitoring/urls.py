"""Upstream: (included by name from ginkgo_site.urls)
Downstream: monitoring.apis
Role: monitoring's API routes (health now; metrics as they land)."""

from django.urls import path

from monitoring.apis import HealthApi, ReadinessApi

urlpatterns = [
    path("health", HealthApi.as_view(), name="health"),
    path("health/ready", ReadinessApi.as_view(), name="health-ready"),
]
