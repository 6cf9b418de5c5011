"""Upstream: (included by name from ginkgo_site.urls)
Downstream: trading.apis.audit, trading.apis.backtests, trading.apis.components, trading.apis.engine, trading.apis.portfolio_control, trading.apis.portfolio_verify, trading.apis.portfolio_versions, trading.apis.portfolios, trading.apis.trades, trading.models
Role: the trading app's API routes under /api/."""

from django.urls import path, re_path

from trading.apis.audit import AuditListApi
from trading.apis.backtests import BacktestCollectionApi, BacktestDetailApi, BacktestReportApi
from trading.apis.components import ComponentListApi
from trading.apis.engine import EngineStartApi, EngineStatusApi, EngineStopApi
from trading.apis.portfolio_control import PortfolioReloadApi, PortfolioStartApi, PortfolioStopApi
from trading.apis.portfolio_verify import PortfolioVerifyApi
from trading.apis.portfolio_versions import (
    PortfolioRollbackApi,
    PortfolioVersionDiffApi,
    PortfolioVersionListApi,
)
from trading.apis.portfolios import PortfolioCollectionApi, PortfolioDetailApi, PortfolioStatusApi
from trading.apis.trades import (
    PortfolioEquityApi,
    PortfolioFillsApi,
    PortfolioOrdersApi,
    PortfolioPositionsApi,
)
from trading.models import PORTFOLIO_ID

# Only well-formed portfolio ids route; anything else is no portfolio (404).
PORTFOLIO = rf"^portfolio/(?P<portfolio_id>{PORTFOLIO_ID.regex.pattern.strip('^$')})"

urlpatterns = [
    path("portfolio/", PortfolioCollectionApi.as_view(), name="portfolio-list"),
    re_path(rf"{PORTFOLIO}/$", PortfolioDetailApi.as_view(), name="portfolio-detail"),
    re_path(rf"{PORTFOLIO}/status$", PortfolioStatusApi.as_view(), name="portfolio-status"),
    re_path(rf"{PORTFOLIO}/start$", PortfolioStartApi.as_view(), name="portfolio-start"),
    re_path(rf"{PORTFOLIO}/stop$", PortfolioStopApi.as_view(), name="portfolio-stop"),
    re_path(rf"{PORTFOLIO}/reload$", PortfolioReloadApi.as_view(), name="portfolio-reload"),
    re_path(
        rf"{PORTFOLIO}/versions/$", PortfolioVersionListApi.as_view(), name="portfolio-versions"
    ),
    re_path(
        rf"{PORTFOLIO}/versions/diff$",
        PortfolioVersionDiffApi.as_view(),
        name="portfolio-versions-diff",
    ),
    re_path(rf"{PORTFOLIO}/rollback$", PortfolioRollbackApi.as_view(), name="portfolio-rollback"),
    re_path(
        rf"{PORTFOLIO}/positions$", PortfolioPositionsApi.as_view(), name="portfolio-positions"
    ),
    re_path(rf"{PORTFOLIO}/orders$", PortfolioOrdersApi.as_view(), name="portfolio-orders"),
    re_path(rf"{PORTFOLIO}/fills$", PortfolioFillsApi.as_view(), name="portfolio-fills"),
    re_path(rf"{PORTFOLIO}/equity$", PortfolioEquityApi.as_view(), name="portfolio-equity"),
    re_path(rf"{PORTFOLIO}/verify$", PortfolioVerifyApi.as_view(), name="portfolio-verify"),
    path("engine/start", EngineStartApi.as_view(), name="engine-start"),
    path("engine/stop", EngineStopApi.as_view(), name="engine-stop"),
    path("engine/status", EngineStatusApi.as_view(), name="engine-status"),
    path("engine/backtests", BacktestCollectionApi.as_view(), name="backtest-list"),
    path("engine/backtests/<int:backtest_id>", BacktestDetailApi.as_view(), name="backtest-detail"),
    path(
        "engine/backtests/<int:backtest_id>/report",
        BacktestReportApi.as_view(),
        name="backtest-report",
    ),
    path("components/", ComponentListApi.as_view(), name="component-list"),
    path("audit/", AuditListApi.as_view(), name="audit-list"),
]
