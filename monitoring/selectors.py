"""Upstream: monitoring.apis, monitoring.collectors
Downstream: ginkgo_site.devstack, ginkgo_site.service_checks, monitoring.live, monitoring.models, scheduling.placement, scheduling.selectors, trading.models, trading.selectors.live, trading.selectors.trades
Role: read-side of monitoring: service health, the live overview (nodes, statuses), the metrics summary, notices and the dashboard's data."""

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection
from django.db.models import Count, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from ginkgo_site.devstack import ServiceUnreachable, check_clickhouse, check_kafka, check_redis
from ginkgo_site.service_checks import check_django_database
from monitoring.live import node_infos, portfolio_statuses
from monitoring.models import Notice
from scheduling.placement import NodeStatus
from scheduling.selectors import NodeView, node_list
from trading.models import Backtest, DesiredState, Fill, Order, Portfolio
from trading.selectors.live import LiveStateUnavailable
from trading.selectors.trades import portfolio_positions

CHECK_TIMEOUT = 2.0


@dataclass(frozen=True)
class ServiceHealth:
    name: str
    where: str
    configured: bool
    ok: bool | None
    latency_ms: float | None
    detail: str


def redact(url: str) -> str:
    """The URL without its password, for output a person or a log will see."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def _probe(name: str, where: str, check: Callable[[], float]) -> ServiceHealth:
    try:
        latency = check()
    except ServiceUnreachable as exc:
        return ServiceHealth(name, redact(where), True, False, None, str(exc))
    return ServiceHealth(name, redact(where), True, True, round(latency * 1000, 2), "ok")


def service_health() -> list[ServiceHealth]:
    """Probe every service at once (in parallel, each with a short timeout)."""
    db = connection.settings_dict
    probes: list[tuple[str, str, Callable[[], float]]] = [
        (
            "database",
            f"{db['ENGINE'].rsplit('.', 1)[-1]}:{db.get('HOST') or db['NAME']}",
            check_django_database,
        ),
        ("redis", settings.REDIS_URL, lambda: check_redis(settings.REDIS_URL, CHECK_TIMEOUT)),
        (
            "kafka",
            settings.KAFKA_BOOTSTRAP_SERVERS,
            lambda: check_kafka(settings.KAFKA_BOOTSTRAP_SERVERS, CHECK_TIMEOUT),
        ),
    ]
    if settings.CLICKHOUSE_URL:
        url = settings.CLICKHOUSE_URL
        probes.append(("clickhouse", url, lambda: check_clickhouse(url, CHECK_TIMEOUT)))
    with ThreadPoolExecutor(max_workers=len(probes)) as pool:
        results = list(pool.map(lambda p: _probe(*p), probes))
    if not settings.CLICKHOUSE_URL:
        results.append(
            ServiceHealth(
                "clickhouse",
                "",
                False,
                None,
                None,
                "not configured: bars and trades use the SQL database",
            )
        )
    return results


def health_report() -> dict[str, Any]:
    services = service_health()
    ready = all(s.ok for s in services if s.configured)
    return {
        "status": "ok" if ready else "degraded",
        "ready": ready,
        "services": {s.name: asdict(s) for s in services},
    }


# --- live overview, summary, notices, dashboard ---------------------------------------------

THROUGHPUT_WINDOW = timedelta(minutes=1)
ALERT_WINDOW = timedelta(hours=1)
UNREPORTED = "unreported"
RECENT_ROWS = 15


@dataclass(frozen=True)
class LiveOverview:
    """Nodes (record + heartbeats, forgotten ones left out: scheduling.selectors.node_list),
    every portfolio's desired state and, for those a node reported, its status hash;
    ``error`` says why Redis could not be read (then the live parts are empty and nodes are
    as recorded)."""

    nodes: list[NodeView]
    infos: dict[str, dict[str, str]]
    desired: dict[str, str]
    statuses: dict[str, dict[str, str]]
    error: str | None

    def status_of(self, portfolio_id: str) -> str:
        """The live status, or ``unreported`` when no node reported the portfolio."""
        return self.statuses.get(portfolio_id, {}).get("status", UNREPORTED)

    def info(self, view: NodeView) -> dict[str, str]:
        """The node's info hash while it heartbeats; nothing once it stopped (what the hash
        last said is stale)."""
        return self.infos.get(view.node.node_id, {}) if view.alive else {}

    def hosted(self, view: NodeView) -> list[str]:
        """The portfolios a live node says it runs, else those the record places on it (for a
        dead or left node, emptied as its portfolios move)."""
        reported = self.info(view).get("portfolio_ids")
        if reported is None:
            return view.portfolio_ids
        return [pid for pid in reported.split(",") if pid]


def live_overview() -> LiveOverview:
    """Nodes, desired states and live statuses, read once."""
    nodes = node_list()
    desired = dict(Portfolio.objects.values_list("portfolio_id", "desired_state"))
    try:
        statuses = portfolio_statuses(desired)
        infos = node_infos(view.node.node_id for view in nodes)
    except LiveStateUnavailable as exc:
        return LiveOverview(nodes, {}, desired, {}, str(exc))
    return LiveOverview(nodes, infos, desired, statuses, None)


def metrics_summary(
    *, now: datetime | None = None, live: LiveOverview | None = None
) -> dict[str, Any]:
    """Nodes alive, dead and left (as the heartbeat check declared them; forgotten ones left
    out), portfolios by live and desired state, orders and fills recorded in the last
    minute, updates dropped, and notices of the last hour by level."""
    now = now or timezone.now()
    live = live or live_overview()
    drops = {pid: _int(fields.get("dropped")) for pid, fields in live.statuses.items()}
    statuses = Counter(view.node.status for view in live.nodes)
    return {
        "generated_at": now,
        "live_state_error": live.error,
        "nodes": {
            "alive": sum(1 for view in live.nodes if view.alive),
            "dead": statuses[NodeStatus.DEAD],
            "left": statuses[NodeStatus.LEFT],
            "items": [_node_row(view, live) for view in live.nodes],
        },
        "portfolios": {
            "total": len(live.desired),
            "by_status": dict(Counter(live.status_of(pid) for pid in live.desired)),
            "by_desired_state": dict(Counter(live.desired.values())),
            "not_running": sorted(
                pid
                for pid, state in live.desired.items()
                if state == DesiredState.RUNNING and live.status_of(pid) != "running"
            ),
        },
        "throughput": {
            "window_seconds": int(THROUGHPUT_WINDOW.total_seconds()),
            # Both by when they were recorded: event times can be years old (a replay).
            "orders": Order.objects.filter(recorded_at__gte=now - THROUGHPUT_WINDOW).count(),
            "fills": Fill.objects.filter(recorded_at__gte=now - THROUGHPUT_WINDOW).count(),
        },
        "drops": {
            "total": sum(drops.values()),
            "by_portfolio": {k: v for k, v in drops.items() if v},
        },
        "alerts": _alerts(now - ALERT_WINDOW),
    }


def notice_list(
    *,
    level: str | None = None,
    kind: str | None = None,
    portfolio: str | None = None,
    node: str | None = None,
    since: datetime | None = None,
) -> QuerySet[Notice]:
    """Stored notices, latest occurrence first; ``since`` filters on the latest occurrence."""
    rows = Notice.objects.all()
    if level:
        rows = rows.filter(level=level)
    if kind:
        rows = rows.filter(kind=kind)
    if portfolio:
        rows = rows.filter(portfolio_id=portfolio)
    if node:
        rows = rows.filter(node_id=node)
    if since is not None:
        rows = rows.filter(last_seen__gte=since)
    return rows


def dashboard_data() -> dict[str, Any]:
    """Everything the dashboard shows, in one read: the summary figures, nodes, portfolios
    (live status, equity, P&L, positions, queue), recent orders, fills, backtests (with
    their report pages) and notices."""
    live = live_overview()
    summary = metrics_summary(live=live)
    return {
        "summary": {
            key: summary[key]
            for key in ("generated_at", "live_state_error", "throughput", "drops", "alerts")
        },
        "nodes": summary["nodes"]["items"],
        "portfolios": [_portfolio_row(p, live) for p in Portfolio.objects.order_by("portfolio_id")],
        "orders": list(
            Order.objects.order_by("-created_at").values(
                "client_order_id", "portfolio_id", "symbol", "side", "quantity", "status",
                "filled_quantity", "average_price", "created_at",
            )[:RECENT_ROWS]
        ),
        "fills": list(
            Fill.objects.order_by("-executed_at").values(
                "fill_id", "portfolio_id", "symbol", "side", "quantity", "price", "executed_at"
            )[:RECENT_ROWS]
        ),
        "notices": list(
            Notice.objects.values(
                "id", "level", "kind", "portfolio_id", "node_id", "message", "count", "last_seen"
            )[:RECENT_ROWS]
        ),
        "backtests": [
            {**row, "url": reverse("dashboard-backtest", args=[row["id"]])}
            for row in Backtest.objects.order_by("-created_at").values(
                "id", "portfolio_id", "portfolio_version", "symbol", "status", "created_at",
                "finished_at", "result__return",
            )[:RECENT_ROWS]
        ],
    }  # fmt: skip


def _node_row(view: NodeView, live: LiveOverview) -> dict[str, Any]:
    info = live.info(view)
    hosted = live.hosted(view)
    return {
        "node_id": view.node.node_id,
        "status": view.node.status,
        "alive": view.alive,
        "heartbeat_age": view.heartbeat_age,
        "capacity": view.capacity,
        "load": len(hosted) / view.capacity if view.capacity else 0.0,
        "portfolios": len(hosted),
        "portfolio_ids": hosted,
        "throughput": _float(info.get("throughput")),
        "lag_ms": _float(info.get("lag_ms")),
        "dropped": _int(info.get("dropped")),
    }


def _portfolio_row(portfolio: Portfolio, live: LiveOverview) -> dict[str, Any]:
    status = live.statuses.get(portfolio.portfolio_id, {})
    report = portfolio_positions(portfolio=portfolio)
    return {
        "portfolio_id": portfolio.portfolio_id,
        "name": portfolio.name,
        "url": reverse("dashboard-portfolio", args=[portfolio.portfolio_id]),
        "desired_state": portfolio.desired_state,
        "status": live.status_of(portfolio.portfolio_id),
        "node": status.get("node", ""),
        "version": _int(status.get("version")) or portfolio.version,
        "queue_size": _int(status.get("queue_size")),
        "dropped": _int(status.get("dropped")),
        "error": status.get("error", ""),
        "initial_capital": portfolio.initial_capital,
        "equity": report.equity,
        "pnl": report.equity - portfolio.initial_capital,
        "positions": [
            {"symbol": p.symbol, "quantity": p.quantity, "unrealised_pnl": p.unrealised_pnl}
            for p in report.positions
            if p.quantity
        ],
    }


def _alerts(since: datetime) -> dict[str, Any]:
    rows = (
        Notice.objects.filter(last_seen__gte=since)
        .values("level")
        .annotate(notices=Count("id"), occurrences=Sum("count"))
    )
    by_level = {
        row["level"]: {"notices": row["notices"], "occurrences": row["occurrences"]} for row in rows
    }
    return {
        "window_seconds": int(ALERT_WINDOW.total_seconds()),
        "notices": sum(level["notices"] for level in by_level.values()),
        "occurrences": sum(level["occurrences"] for level in by_level.values()),
        "by_level": by_level,
    }


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
