"""Upstream: (included by name from ginkgo_site.urls)
Downstream: monitoring.apis
Role: monitoring's API routes: health, the metrics summary, notices."""

from django.urls import path

from monitoring.apis import HealthApi, MetricsSummaryApi, NoticeListApi, ReadinessApi

urlpatterns = [
    path("health", HealthApi.as_view(), name="health"),
    path("health/ready", ReadinessApi.as_view(), name="health-ready"),
    path("metrics/summary", MetricsSummaryApi.as_view(), name="metrics-summary"),
    path("notices/", NoticeListApi.as_view(), name="notice-list"),
]
