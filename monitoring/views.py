"""Upstream: ginkgo_site.urls
Downstream: monitoring.collectors
Role: the pages that are not API: the dashboard (login required, the admin's login) and Prometheus' /metrics (token or loopback only)."""

import hmac
import ipaddress

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from monitoring.collectors import LiveStateCollector, SchedulerRecordCollector

# The process's own series, plus the cluster's computed at scrape time (the api's only).
_CLUSTER = CollectorRegistry()
_CLUSTER.register(LiveStateCollector())
_CLUSTER.register(SchedulerRecordCollector())
# How often the page asks /dashboard/data again, in milliseconds.
POLL_MS = 3000


@require_GET
@login_required(login_url=reverse_lazy("admin:login"))
def dashboard(request: HttpRequest) -> HttpResponse:
    """The live dashboard: a shell the page's script fills from /dashboard/data."""
    context = {"poll_ms": POLL_MS, "queue_max": settings.GINKGO_QUEUE_MAXSIZE}
    return render(request, "monitoring/dashboard.html", context)


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
