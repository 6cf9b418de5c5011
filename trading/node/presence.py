"""Upstream: trading.node.host, trading.node.runtime
Downstream: trading.redis_store, trading.services.hot_positions, trading.storage.hot_positions
Role: NodePresence: the node's live state in Redis (heartbeat, nodes:active, portfolio statuses, node info, processors); outages are retried with backoff and healed by re-announcing."""

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import redis

from trading.redis_store import (
    heartbeat_key,
    node_info_key,
    node_processors_key,
    nodes_active_key,
    portfolio_status_key,
    redis_client,
)
from trading.services.hot_positions import hot_positions_write
from trading.storage.hot_positions import PositionsSnapshot

logger = logging.getLogger(__name__)

Fields = Mapping[str, str | int | float]
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class NodeReport:
    """What the node looks like now: live portfolio statuses, their cash and positions,
    node metrics, running ids."""

    statuses: Mapping[str, Fields]
    positions: Mapping[str, PositionsSnapshot]
    info: Fields
    processors: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Final:
    fields: Fields
    positions: PositionsSnapshot | None


class NodePresence:
    """Writes the node's state to Redis from one thread, every ``interval`` seconds.

    Every write sends the whole picture (statuses, info, the processors set), and the
    heartbeat (``SET ... EX ttl`` plus ``SADD nodes:active``) goes along every
    ``heartbeat_interval`` and right after an outage, so a Redis that lost its data is
    fully re-announced by the first write that succeeds. A failed write is logged once and
    retried with exponential backoff; nothing here ever raises into the node. Final
    statuses of portfolios that stopped are written once (:meth:`finalize`). Cash and
    positions also go to the hot tier (``portfolio:{id}:positions``, trading.services.
    hot_positions) whenever a portfolio booked a fill.
    """

    def __init__(
        self,
        node_id: str,
        report: Callable[[], NodeReport],
        *,
        heartbeat_interval: float,
        ttl: float,
        capacity: int,
    ) -> None:
        self.node_id = node_id
        self.capacity = capacity
        self.failures = 0
        self._report = report
        self._heartbeat_interval = heartbeat_interval
        self._ttl = ttl
        self._lock = threading.Lock()
        self._final: dict[str, _Final] = {}
        self._positions_written: dict[str, PositionsSnapshot] = {}
        self._heartbeat_due = 0.0
        self._started = time.time()
        self._wake = threading.Event()
        self._closing = False

    def finalize(
        self, portfolio_id: str, fields: Fields, positions: PositionsSnapshot | None = None
    ) -> None:
        """Write this last status (and positions) of a portfolio the node no longer runs,
        at once."""
        with self._lock:
            self._final[portfolio_id] = _Final(fields, positions)
        self.nudge()

    def nudge(self) -> None:
        """Write now rather than at the next interval (a portfolio started or stopped: the
        scheduler, the target of a migration and the operator read it from Redis)."""
        self._wake.set()

    def cancel_final(self, portfolio_id: str) -> None:
        """Forget a pending final status (the portfolio starts again here)."""
        with self._lock:
            self._final.pop(portfolio_id, None)

    def run(self, interval: float) -> None:
        """Write every ``interval`` s and when nudged, until :meth:`close`; back off while
        Redis fails."""
        while not self._closing:
            wait = interval if self.write() else self._backoff()
            self._wake.wait(wait)
            self._wake.clear()

    def close(self) -> None:
        """End :meth:`run` (its last write done); :meth:`withdraw` follows."""
        self._closing = True
        self._wake.set()

    def write(self) -> bool:
        """One full write; False (logged, nothing raised) if Redis failed."""
        # Finals are read before the report: a portfolio stopped in between is then written
        # by the next write, never as "running" after its final status.
        with self._lock:
            final = dict(self._final)
        report = self._report()
        heartbeat = time.monotonic() >= self._heartbeat_due or self.failures > 0
        try:
            with redis_client().pipeline(transaction=True) as pipe:
                for portfolio_id, last in final.items():
                    pipe.hset(portfolio_status_key(portfolio_id), mapping=dict(last.fields))
                if heartbeat:
                    self._queue_heartbeat(pipe, report)
                for portfolio_id, fields in report.statuses.items():
                    pipe.hset(portfolio_status_key(portfolio_id), mapping=dict(fields))
                pipe.hset(node_info_key(self.node_id), mapping=dict(report.info))
                processors = node_processors_key(self.node_id)
                pipe.delete(processors)
                if report.processors:
                    pipe.sadd(processors, *sorted(report.processors))
                pipe.execute()
        except redis.RedisError as exc:
            if not self.failures:
                logger.warning("node %s: Redis write failed (%s); retrying", self.node_id, exc)
            self.failures += 1
            return False
        if self.failures:
            logger.info("node %s: Redis is back; re-announced", self.node_id)
        self.failures = 0
        if heartbeat:
            self._heartbeat_due = time.monotonic() + self._heartbeat_interval
        self._write_positions(report.positions)
        with self._lock:
            for portfolio_id, last in final.items():
                if self._final.get(portfolio_id) is last:
                    del self._final[portfolio_id]
        self._write_positions({p: f.positions for p, f in final.items() if f.positions})
        return True

    def withdraw(self) -> bool:
        """Leave at once (clean stop): final statuses out, out of nodes:active, no heartbeat,
        no processors, so a scheduler moves the portfolios without waiting for the TTL."""
        with self._lock:
            final = dict(self._final)
        try:
            with redis_client().pipeline(transaction=True) as pipe:
                for portfolio_id, last in final.items():
                    pipe.hset(portfolio_status_key(portfolio_id), mapping=dict(last.fields))
                pipe.srem(nodes_active_key(), self.node_id)
                pipe.delete(heartbeat_key(self.node_id), node_processors_key(self.node_id))
                pipe.hset(node_info_key(self.node_id), mapping={"status": "offline"})
                pipe.execute()
        except redis.RedisError as exc:
            logger.error("node %s: could not withdraw from Redis: %s", self.node_id, exc)
            return False
        self._write_positions({p: f.positions for p, f in final.items() if f.positions})
        return True

    def _queue_heartbeat(self, pipe: redis.client.Pipeline, report: NodeReport) -> None:
        beat = {
            "node_id": self.node_id,
            "ts": time.time(),
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_at": self._started,
            "capacity": self.capacity,
            "portfolios": len(report.processors),
        }
        pipe.set(heartbeat_key(self.node_id), json.dumps(beat), ex=max(1, round(self._ttl)))
        pipe.sadd(nodes_active_key(), self.node_id)

    def _write_positions(self, positions: Mapping[str, PositionsSnapshot]) -> None:
        for portfolio_id, snapshot in positions.items():
            if self._positions_written.get(portfolio_id) is snapshot:
                continue
            if hot_positions_write(portfolio_id=portfolio_id, snapshot=snapshot):
                self._positions_written[portfolio_id] = snapshot

    def _backoff(self) -> float:
        return min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (self.failures - 1))
