"""Upstream: monitoring.live, monitoring.selectors, scheduling.management.commands.portfolio_migrate, scheduling.services.migration, trading.apis.engine, trading.apis.errors, trading.apis.portfolios
Downstream: trading.redis_store
Role: live state from Redis (SPEC.md §4): a LiveEngine's status hash and a portfolio's status hash."""

import redis

from trading.redis_store import engine_status_key, portfolio_status_key, redis_client


class LiveStateUnavailable(Exception):
    """Redis could not be read; the message names the key."""


def engine_status_get(*, engine_id: str) -> dict[str, str] | None:
    """``engine:{id}:status`` as Redis has it; None when the engine never reported."""
    return _hash(engine_status_key(engine_id))


def portfolio_status_get(*, portfolio_id: str) -> dict[str, str] | None:
    """``portfolio:{id}:status`` as Redis has it; None when no node reported the portfolio."""
    return _hash(portfolio_status_key(portfolio_id))


def _hash(key: str) -> dict[str, str] | None:
    try:
        fields: dict[str, str] = redis_client().hgetall(key)  # type: ignore[assignment]
    except redis.RedisError as exc:
        raise LiveStateUnavailable(f"cannot read {key} from Redis: {exc}") from exc
    return fields or None
