"""Upstream: monitoring.live, monitoring.portfolio_page, monitoring.selectors, scheduling.management.commands.portfolio_migrate, scheduling.services.migration, trading.apis.engine, trading.apis.errors, trading.apis.portfolios, trading.livecore.readiness, trading.livecore.runtime, trading.services.twins
Downstream: trading.redis_store
Role: live state from Redis (SPEC.md §4): a LiveEngine's status hash, a portfolio's status hash, the nodes alive now."""

import json
from typing import Any

import redis

from trading.redis_store import (
    engine_status_key,
    heartbeat_key,
    nodes_active_key,
    portfolio_status_key,
    redis_client,
)


class LiveStateUnavailable(Exception):
    """Redis could not be read; the message names the key."""


def engine_status_get(*, engine_id: str) -> dict[str, str] | None:
    """``engine:{id}:status`` as Redis has it; None when the engine never reported."""
    return _hash(engine_status_key(engine_id))


def portfolio_status_get(*, portfolio_id: str) -> dict[str, Any] | None:
    """``portfolio:{id}:status`` as Redis has it, its ``spans`` (the live spans, JSON in the
    hash) decoded; None when no node reported the portfolio."""
    fields: dict[str, Any] | None = _hash(portfolio_status_key(portfolio_id))
    if fields is not None and "spans" in fields:
        fields["spans"] = json.loads(fields["spans"])
    return fields


def nodes_alive_list() -> list[str]:
    """The nodes in ``nodes:active`` whose heartbeat has not expired, sorted."""
    client = redis_client()
    try:
        members = sorted(client.smembers(nodes_active_key()))  # type: ignore[arg-type]
        with client.pipeline(transaction=False) as pipe:
            for node in members:
                pipe.exists(heartbeat_key(node))
            beating = pipe.execute()
        return [node for node, alive in zip(members, beating, strict=True) if alive]
    except redis.RedisError as exc:
        raise LiveStateUnavailable(f"cannot read the live nodes from Redis: {exc}") from exc


def _hash(key: str) -> dict[str, str] | None:
    try:
        fields: dict[str, str] = redis_client().hgetall(key)  # type: ignore[assignment]
    except redis.RedisError as exc:
        raise LiveStateUnavailable(f"cannot read {key} from Redis: {exc}") from exc
    return fields or None
