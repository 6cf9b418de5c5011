"""Upstream: trading.livecore.runtime
Downstream: trading.redis_store
Role: EngineStatus: the LiveEngine's hash in Redis (engine:{id}:status); a failed write is logged and retried later, never fatal."""

import logging
import threading
from collections.abc import Mapping

import redis

from trading.redis_store import engine_status_key, redis_client

logger = logging.getLogger(__name__)

Field = str | int


class EngineStatus:
    """Writes ``engine:{engine_id}:status`` (status, started_at, updated_at, counters ...).

    Fields that could not be written wait for the next :meth:`write`, which sends them along
    with its own, so Redis catches up by itself once it is back.
    """

    def __init__(self, engine_id: str) -> None:
        self.key = engine_status_key(engine_id)
        self._lock = threading.Lock()
        self._pending: dict[str, Field] = {}
        self._failing = False

    def read(self) -> dict[str, str]:
        """The hash as Redis has it now; empty when absent or Redis is unreachable."""
        try:
            return redis_client().hgetall(self.key)  # type: ignore[return-value]
        except redis.RedisError as exc:
            logger.warning("cannot read %s from Redis (%s); starting without it", self.key, exc)
            return {}

    def write(self, fields: Mapping[str, Field]) -> bool:
        """Set ``fields`` (and whatever earlier writes left pending); False if Redis failed."""
        with self._lock:
            return self._write(fields)

    def _write(self, fields: Mapping[str, Field]) -> bool:
        self._pending.update(fields)
        if not self._pending:
            return True
        try:
            redis_client().hset(self.key, mapping=self._pending)  # type: ignore[arg-type]
        except redis.RedisError as exc:
            if not self._failing:
                logger.warning("cannot write %s to Redis (%s); will retry", self.key, exc)
            self._failing = True
            return False
        if self._failing:
            logger.info("Redis is back: %s written", self.key)
        self._failing = False
        self._pending = {}
        return True
