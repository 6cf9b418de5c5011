"""Upstream: ginkgo_site.urls
Downstream: monitoring.collectors, trading.permissions, trading.reports, trading.selectors.backtests, trading.selectors.portfolios
Role: the pages that are not API: the dashboard, a portfolio's page, a backtest's report (login required, the admin's login) and Prometheus' /metrics (token or loopback only)."""

import hmac
import ipaddress

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from monitoring.collectors import LiveStateCollector, SchedulerRecordCollector
from trading.permissions import BACKTEST_READ, PORTFOLIO_READ, user_has_permission
from trading.reports import backtest_run_report_html
from trading.selectors.backtests import backtest_get
from trading.selectors.portfolios import portfolio_get

# The process's own series, plus the cluster's computed at scrape time (the api's only).
_CLUSTER = CollectorRegistry()
_CLUSTER.register(LiveStateCollector())
_CLUSTER.register(SchedulerRecordCollector())
# How often the page asks /dashboard/data again, in milliseconds.
POLL_MS = 3000
# A portfolio page polls less often: each poll runs the portfolio's backtest twin.
PORTFOLIO_POLL_MS = 15000


@require_GET
@login_required(login_url=reverse_lazy("admin:login"))
def dashboard(request: HttpRequest) -> HttpResponse:
    """The live dashboard: a shell the page's script fills from /dashboard/data."""
    context = {"poll_ms": POLL_MS, "queue_max": settings.GINKGO_QUEUE_MAXSIZE}
    return render(request, "monitoring/dashboard.html", context)


@require_GET
@login_required(login_url=reverse_lazy("admin:login"))
def portfolio_page(request: HttpRequest, portfolio_id: str) -> HttpResponse:
    """One portfolio: its live equity against its backtest's, positions, orders and fills;
    a shell the page's script fills from its data URL."""
    _require(request, PORTFOLIO_READ)
    portfolio = portfolio_get(portfolio_id=portfolio_id)
    if portfolio is None:
        raise Http404(f"no portfolio {portfolio_id}")
    context = {"portfolio": portfolio, "poll_ms": PORTFOLIO_POLL_MS}
    return render(request, "monitoring/portfolio.html", context)


@require_GET
@login_required(login_url=reverse_lazy("admin:login"))
def backtest_page(request: HttpRequest, backtest_id: int) -> HttpResponse:
    """A backtest run's report (the page /api/engine/backtests/{id}/report serves), with a
    way back to the dashboard; while the run has no result, the page says why."""
    _require(request, BACKTEST_READ)
    backtest = backtest_get(backtest_id=backtest_id)
    if backtest is None:
        raise Http404(f"no backtest {backtest_id}")
    return HttpResponse(backtest_run_report_html(backtest=backtest, back_url=reverse("dashboard")))


def _require(request: HttpRequest, permission: str) -> None:
    if not user_has_permission(user=request.user, permission=permission):
        raise PermissionDenied(f"{permission} is required")


@require_GET
def prometheus_metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition of this api process, of the cluster's live state and of the
    scheduler's runs (from the database, wherever they ran).

    With GINKGO_METRICS_TOKEN set, only requests bearing it (``Authorization: Bearer ...``)
    get an answer; without, only clients on this machine (loopback).
    """
    refused = _metrics_refusal(request)
    if refused is not None:
        return refused
    body = generate_latest(REGISTRY) + generate_latest(_CLUSTER)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


def _metrics_refusal(request: HttpRequest) -> HttpResponse | None:
    token = settings.GINKGO_METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if hmac.compare_digest(given.encode(), token.encode()):
            return None
        refused = HttpResponse(
            "a metrics token is required\n", status=401, content_type="text/plain"
        )
        refused["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return refused
    try:
        local = ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        local = False
    if local:
        return None
    return HttpResponse(
        "metrics are served to this machine only (set GINKGO_METRICS_TOKEN)\n",
        status=403,
        content_type="text/plain",
    )
