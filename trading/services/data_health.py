"""Upstream: trading.management.commands.data_health
Downstream: trading.core.ports, trading.redis_store, trading.services.trade_mirror, trading.storage.stores
Role: checks every data store (SQL, Redis, ClickHouse when configured, the trade mirror): reachability, row counts, newest times, mirror lag."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import redis
from django.db import DatabaseError
from django.utils import timezone

from trading.core.ports import StoreCounts, StoreUnavailable
from trading.redis_store import redis_client
from trading.services.trade_mirror import trade_mirror_lag
from trading.storage.stores import (
    bar_store,
    clickhouse_configured,
    sql_bar_store,
    sql_trade_store,
    trade_store,
)

# A mirror further behind than this is worth a look (warn), not a failure: trading goes on.
MIRROR_LAG_WARNING = 60.0


class Health(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class HealthCheck:
    """One row of the report: a store or a table in it."""

    name: str
    health: Health
    rows: int | None = None
    latest: datetime | None = None
    detail: str = ""


def data_health() -> list[HealthCheck]:
    """Every check, in report order; none raises (a failure is a FAIL row)."""
    checks = [
        _counted("sql fills", lambda: sql_trade_store().counts()),
        _counted("sql bars", lambda: sql_bar_store().counts()),
        _redis(),
    ]
    if clickhouse_configured():
        checks.append(_counted("clickhouse bars", lambda: bar_store().counts()))
        checks.append(_counted("clickhouse trades", lambda: trade_store().counts()))
        checks.append(_mirror())
    return checks


def _counted(name: str, count: Callable[[], StoreCounts]) -> HealthCheck:
    started = time.monotonic()
    try:
        counts = count()
    except (StoreUnavailable, DatabaseError) as exc:
        return HealthCheck(name, Health.FAIL, detail=str(exc))
    took = f"{(time.monotonic() - started) * 1000:.1f} ms"
    return HealthCheck(name, Health.OK, counts.rows, counts.latest, took)


def _redis() -> HealthCheck:
    started = time.monotonic()
    try:
        redis_client().ping()
    except redis.RedisError as exc:
        return HealthCheck("redis", Health.FAIL, detail=str(exc))
    return HealthCheck(
        "redis", Health.OK, detail=f"ping {(time.monotonic() - started) * 1000:.1f} ms"
    )


def _mirror() -> HealthCheck:
    try:
        lag = trade_mirror_lag()
    except DatabaseError as exc:
        return HealthCheck("trade mirror", Health.FAIL, detail=str(exc))
    behind = (timezone.now() - lag.oldest_pending).total_seconds() if lag.oldest_pending else 0.0
    detail = f"{lag.pending} fill(s) pending, {behind:.0f} s behind"
    if lag.last_error:
        detail += f"; last error: {lag.last_error}"
    health = Health.WARN if behind > MIRROR_LAG_WARNING or lag.last_error else Health.OK
    return HealthCheck("trade mirror", health, lag.pending, lag.last_run_at, detail)
