"""Upstream: (CACHES in ginkgo_site.settings)
Downstream: (none)
Role: Django's cache backend (CACHES in the settings): Django's Redis cache whose clear() removes only its own keys, never the Redis database the live state and Celery share."""

import re
from typing import Any

from django.core.cache.backends.redis import RedisCache

# Characters a Redis MATCH pattern treats as special.
_GLOB = re.compile(r"([*?\[\]\\])")
_DELETE_BATCH = 500


class PrefixedRedisCache(RedisCache):
    """Django's RedisCache, except that :meth:`clear` deletes the keys under this cache's
    KEY_PREFIX only.

    Django's own clear() is FLUSHDB: on the stack's Redis that would wipe heartbeats, plans and
    Celery's queues too (and, in the test suite, other sessions' keys on the shared Redis).
    Cache keys are ``KEY_PREFIX:VERSION:key``, so they never collide with the live-state keys
    (``GINKGO_REDIS_PREFIX`` followed by a name).
    """

    def clear(self) -> bool:
        client: Any = self._cache.get_client(None, write=True)
        pattern = _GLOB.sub(r"\\\1", self.key_prefix) + ":*"
        batch: list[bytes] = []
        for key in client.scan_iter(match=pattern, count=_DELETE_BATCH):
            batch.append(key)
            if len(batch) == _DELETE_BATCH:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)
        return True
