"""Upstream: (entry point: pytest)
Downstream: (none)
Role: the api's /metrics answers the bearer of GINKGO_METRICS_TOKEN when one is set, else loopback clients only."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

TOKEN = "s3cret-metrics-token"
ELSEWHERE = "203.0.113.9"


def _scrape(address: str = "127.0.0.1", authorization: str | None = None) -> int:
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    return Client(REMOTE_ADDR=address, **headers).get("/metrics").status_code


def test_without_a_token_only_this_machine_is_answered(settings, redis_prefix):
    settings.GINKGO_METRICS_TOKEN = ""

    assert _scrape("127.0.0.1") == 200
    assert _scrape("::1") == 200
    assert _scrape(ELSEWHERE) == 403


def test_with_a_token_only_its_bearer_is_answered(settings, redis_prefix):
    settings.GINKGO_METRICS_TOKEN = TOKEN

    assert _scrape(ELSEWHERE, f"Bearer {TOKEN}") == 200
    assert _scrape(ELSEWHERE) == 401
    assert _scrape(ELSEWHERE, "Bearer wrong") == 401
    assert _scrape("127.0.0.1") == 401  # the token, once set, is asked of everyone


def test_a_refusal_asks_for_a_bearer_token(settings):
    settings.GINKGO_METRICS_TOKEN = TOKEN

    response = Client(REMOTE_ADDR=ELSEWHERE).get("/metrics")

    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"ginkgo_" not in response.content
