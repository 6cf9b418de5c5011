"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.cache, ginkgo_site.settings, tests.integration.api.factories, trading.apis.throttling
Role: the API throttle counts in Redis, Django's shared cache, so every api worker and process counts together; it lets requests through while Redis is away; clearing the cache spares the live state."""

import logging
import pickle

import pytest
import redis
from django.core.cache import cache, caches
from django.test import Client

from ginkgo_site import settings as configured
from ginkgo_site.cache import PrefixedRedisCache
from tests.integration.api.factories import make_user
from trading.apis.throttling import UserThrottle

pytestmark = pytest.mark.django_db


def test_the_configured_cache_is_the_shared_redis():
    # The settings module as deployed (the suite points the cache at a prefix of its own).
    default = configured.CACHES["default"]

    assert default["BACKEND"] == "ginkgo_site.cache.PrefixedRedisCache"
    assert default["LOCATION"] == configured.REDIS_URL
    assert default["KEY_PREFIX"] == configured.GINKGO_REDIS_PREFIX
    assert UserThrottle.cache is cache  # DRF's throttles count in the default cache
    assert isinstance(caches["default"], PrefixedRedisCache)


def test_the_count_of_a_user_is_stored_in_redis(redis_url, cache_prefix):
    user, token = make_user("viewer")
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")

    for _ in range(3):
        assert client.get("/api/components/").status_code == 200

    key = f"{cache_prefix}:1:throttle_user_{user.pk}"
    with redis.Redis.from_url(redis_url) as raw:
        stored = raw.get(key)
        ttl = raw.ttl(key)
    assert stored is not None, f"no {key} in Redis"
    assert len(pickle.loads(stored)) == 3  # one timestamp per request
    assert 0 < ttl <= 60  # the rate's window: 1200/minute


def test_a_count_another_process_wrote_throttles_here(redis_url, cache_prefix, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "2/minute"},
    }
    user, token = make_user("viewer")
    # What another api worker's two requests left in Redis, written by a client of its own.
    other_worker = PrefixedRedisCache(redis_url, {"KEY_PREFIX": cache_prefix})
    now = UserThrottle.timer()
    other_worker.set(f"throttle_user_{user.pk}", [now, now], 60)

    response = Client(HTTP_AUTHORIZATION=f"Token {token}").get("/api/components/")

    assert response.status_code == 429


def test_requests_go_through_while_the_cache_is_away(settings, caplog):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
    }
    _, token = make_user("viewer")

    with caplog.at_level(logging.WARNING, logger="trading.apis.throttling"):
        response = Client(HTTP_AUTHORIZATION=f"Token {token}").get("/api/components/")

    assert response.status_code == 200
    assert "throttle skipped" in caplog.text


def test_clearing_the_cache_spares_every_other_key(redis_client, redis_prefix):
    live_key = f"{redis_prefix}heartbeat:node:n1"
    redis_client.set(live_key, "1")
    cache.set("something", 1)

    cache.clear()

    assert cache.get("something") is None
    assert redis_client.get(live_key) == b"1"
