"""Upstream: monitoring.notifications.rules, scheduling.selectors, scheduling.services.assignments, scheduling.services.migration, scheduling.services.nodes, scheduling.services.publishing, scheduling.services.schedule
Downstream: trading.redis_store
Role: the scheduler's Redis side (SPEC.md §4): heartbeats, clean stops and nodes:active, the schedule:plan:* sets, the scheduler lock, the pending-notice memory.

Every function raises ``redis.RedisError`` when Redis fails; callers decide what "no data"
means for them. The client is trading.redis_store's pooled, reconnecting one.
"""

import json
import logging
import math
import secrets
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis
from django.conf import settings

from trading.redis_store import (
    heartbeat_key,
    node_info_key,
    nodes_active_key,
    plan_key,
    redis_client,
)

logger = logging.getLogger(__name__)

# Beyond this a declared capacity is taken for garbage (the column is a 32-bit integer).
MAX_CAPACITY = 100_000
# Far longer than a run takes (seconds), short enough that a crashed holder does not stall
# scheduling for long: the lock then simply expires.
LOCK_TTL_MS = 60_000
LOCK_POLL_SECONDS = 0.05
# A notice about the same pending portfolios is repeated at most this often.
NOTICE_QUIET_SECONDS = 300
# Delete the lock only if it is still ours (it may have expired and been taken since).
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


def _scheduler_key(name: str) -> str:
    # Keys only the scheduler uses (not in SPEC.md §4), under the same prefix as the others.
    return f"{settings.GINKGO_REDIS_PREFIX}schedule:{name}"


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """What a heartbeat value says; a node that writes a bare timestamp gives only ``at``."""

    at: datetime | None = None
    host: str = ""
    capacity: int | None = None
    started_at: datetime | None = None


def heartbeat_parse(raw: str) -> Heartbeat:
    """Read a heartbeat value: JSON ``{ts, host, capacity, started_at}`` (any subset; times
    as epoch seconds/ms/us/ns or ISO 8601), or a bare timestamp. Garbage gives an empty
    Heartbeat: the key exists, so the node is alive all the same."""
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    if not isinstance(value, dict):
        return Heartbeat(at=_instant(value))
    return Heartbeat(
        at=_instant(value.get("ts")),
        host=str(value.get("host") or "")[:255],
        capacity=_capacity(value.get("capacity")),
        started_at=_instant(value.get("started_at")),
    )


def heartbeats_read(node_ids: Iterable[str]) -> dict[str, Heartbeat]:
    """The heartbeats present among ``node_ids`` (absent: the node is not alive)."""
    ids = sorted(set(node_ids))
    if not ids:
        return {}
    values = redis_client().mget([heartbeat_key(node_id) for node_id in ids])
    return {
        node_id: heartbeat_parse(value)
        for node_id, value in zip(ids, values, strict=True)  # type: ignore[arg-type]
        if value is not None
    }


def withdrawn_read(node_ids: Iterable[str]) -> set[str]:
    """Those of ``node_ids`` whose info hash says ``offline``: a node that stops cleanly
    writes it in the same transaction that deletes its heartbeat (trading.node.presence),
    and every later write of a running node replaces it."""
    ids = sorted(set(node_ids))
    with redis_client().pipeline(transaction=False) as pipe:
        for node_id in ids:
            pipe.hget(node_info_key(node_id), "status")
        statuses = pipe.execute()
    return {node_id for node_id, status in zip(ids, statuses, strict=True) if status == "offline"}


def active_nodes_read() -> set[str]:
    """``nodes:active``: the nodes that announced themselves."""
    return set(redis_client().smembers(nodes_active_key()))  # type: ignore[arg-type]


def active_nodes_remove(node_ids: Iterable[str]) -> None:
    """Drop nodes from ``nodes:active``."""
    ids = sorted(set(node_ids))
    if ids:
        redis_client().srem(nodes_active_key(), *ids)


def plans_read(node_ids: Iterable[str]) -> dict[str, frozenset[str]]:
    """The non-empty ``schedule:plan:{node}`` sets of ``node_ids`` (Redis holds no empty set)."""
    ids = sorted(set(node_ids))
    with redis_client().pipeline(transaction=False) as pipe:
        for node_id in ids:
            pipe.smembers(plan_key(node_id))
        sets = pipe.execute()
    return {
        node_id: frozenset(members) for node_id, members in zip(ids, sets, strict=True) if members
    }


def plans_write(plans: Mapping[str, Iterable[str]]) -> None:
    """Replace the given nodes' plan sets in one transaction; an empty plan deletes the key."""
    if not plans:
        return
    with redis_client().pipeline(transaction=True) as pipe:
        for node_id, pids in sorted(plans.items()):
            pipe.delete(plan_key(node_id))
            members = sorted(pids)
            if members:
                pipe.sadd(plan_key(node_id), *members)
        pipe.execute()


@contextmanager
def scheduler_lock(*, wait: float = 0.0, ttl_ms: int = LOCK_TTL_MS) -> Iterator[bool]:
    """Hold the scheduler lock (``SET NX PX``, released by its token) for the block.

    Yields False when another holder kept it for ``wait`` seconds. Failing to release is
    only logged: the lock expires after ``ttl_ms``.
    """
    client, key, token = redis_client(), _scheduler_key("lock"), secrets.token_hex(16)
    deadline = time.monotonic() + wait
    while not client.set(key, token, nx=True, px=ttl_ms):
        if time.monotonic() >= deadline:
            yield False
            return
        time.sleep(LOCK_POLL_SECONDS)
    try:
        yield True
    finally:
        try:
            client.eval(_RELEASE, 1, key, token)
        except redis.RedisError as exc:
            logger.warning("could not release the scheduler lock (%s); it expires by itself", exc)


def notice_last() -> str | None:
    """The pending ids (comma-joined) of the last notice, while its quiet period lasts."""
    return redis_client().get(_scheduler_key("pending-notice"))  # type: ignore[return-value]


def notice_remember(signature: str) -> None:
    """Remember the pending ids just announced for the quiet period; empty forgets them."""
    key = _scheduler_key("pending-notice")
    if signature:
        redis_client().set(key, signature, ex=NOTICE_QUIET_SECONDS)
    else:
        redis_client().delete(key)


def _instant(value: Any) -> datetime | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = float(value)
        if not math.isfinite(seconds):
            return None
        while abs(seconds) >= 1e11:  # milli-, micro- or nanoseconds
            seconds /= 1000
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            return _instant(float(value))
        except ValueError:
            pass
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _capacity(value: Any) -> int | None:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_CAPACITY:
        return value
    return None
