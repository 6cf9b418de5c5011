"""Upstream: (ROOT_URLCONF in ginkgo_site.settings)
Downstream: monitoring.apis, monitoring.views, (includes monitoring.urls, trading.urls, scheduling.urls and trading.data_urls by name)
Role: the URL map: admin, dashboard, Prometheus /metrics, API (per app), OpenAPI schema and docs (Swagger UI, Redoc), JSON error pages (400, 404, 500) for /api/."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from monitoring.apis import DashboardDataApi
from monitoring.views import dashboard, prometheus_metrics

urlpatterns = [
    path("admin/", admin.site.urls),
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/data", DashboardDataApi.as_view(), name="dashboard-data"),
    path("metrics", prometheus_metrics, name="metrics"),
    path("api/", include("monitoring.urls")),
    path("api/", include("trading.urls")),
    path("api/", include("scheduling.urls")),
    path("api/data/", include("trading.data_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]

handler400 = "trading.apis.errors.api_bad_request"
handler404 = "trading.apis.errors.api_not_found"
handler500 = "trading.apis.errors.api_server_error"
