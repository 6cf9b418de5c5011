"""Upstream: monitoring.apis
Downstream: ginkgo_site.devstack
Role: read-side of monitoring: the health of every service the stack depends on, with latency."""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection

from ginkgo_site.devstack import ServiceUnreachable, check_clickhouse, check_kafka, check_redis

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


def _check_database() -> float:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        where = connection.settings_dict.get("HOST") or connection.settings_dict["NAME"]
        raise ServiceUnreachable("database", str(where), str(exc)) from exc
    finally:
        # Health checks run in worker threads; do not leak their connections.
        connection.close()
    return time.perf_counter() - started


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
            _check_database,
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
