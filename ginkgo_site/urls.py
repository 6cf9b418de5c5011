"""Upstream: (ROOT_URLCONF in ginkgo_site.settings)
Downstream: monitoring.apis, monitoring.views, trading.models, (includes monitoring.urls, trading.urls, scheduling.urls and trading.data_urls by name)
Role: the URL map: admin, dashboard, Prometheus /metrics, API (per app), OpenAPI schema and docs (Swagger UI, Redoc), JSON error pages (400, 404, 500) for /api/."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from monitoring.apis import DashboardDataApi, PortfolioPageDataApi
from monitoring.views import backtest_page, dashboard, portfolio_page, prometheus_metrics
from trading.models import PORTFOLIO_ID

# Only well-formed portfolio ids route (as under /api/portfolio/).
PORTFOLIO = rf"^dashboard/portfolios/(?P<portfolio_id>{PORTFOLIO_ID.regex.pattern.strip('^$')})/"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/data", DashboardDataApi.as_view(), name="dashboard-data"),
    re_path(rf"{PORTFOLIO}$", portfolio_page, name="dashboard-portfolio"),
    re_path(rf"{PORTFOLIO}data$", PortfolioPageDataApi.as_view(), name="dashboard-portfolio-data"),
    path("dashboard/backtests/<int:backtest_id>/", backtest_page, name="dashboard-backtest"),
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
