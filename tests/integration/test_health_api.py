"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack
Role: /api/health reports every real service with its latency; an unreachable one is named."""

import pytest
from rest_framework.test import APIClient

from ginkgo_site.devstack import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def all_services(settings, kafka_bootstrap, redis_url, clickhouse_url):
    settings.REDIS_URL = redis_url
    settings.CLICKHOUSE_URL = clickhouse_url
    return settings


def test_health_reports_every_service_ready_with_latency(all_services):
    response = APIClient().get("/api/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["ready"] is True
    assert set(body["services"]) == {"database", "redis", "kafka", "clickhouse"}
    for name, service in body["services"].items():
        assert service["ok"] is True, (name, service)
        assert service["latency_ms"] >= 0
    assert body["services"]["database"]["where"].startswith("postgresql:")


def test_unreachable_service_is_named_and_readiness_fails(all_services):
    dead = f"clickhouse://127.0.0.1:{free_port()}/default"
    all_services.CLICKHOUSE_URL = dead
    client = APIClient()

    live = client.get("/api/health")
    ready = client.get("/api/health/ready")

    assert live.status_code == 200
    assert ready.status_code == 503
    clickhouse = live.json()["services"]["clickhouse"]
    assert live.json()["status"] == "degraded"
    assert clickhouse["ok"] is False
    assert clickhouse["where"] == dead
    assert "clickhouse" in clickhouse["detail"] and "\n" not in clickhouse["detail"]
    assert live.json()["services"]["redis"]["ok"] is True


def test_unset_clickhouse_is_reported_as_not_configured_and_does_not_block_readiness(
    settings, kafka_bootstrap, redis_url
):
    settings.REDIS_URL = redis_url
    settings.CLICKHOUSE_URL = ""

    response = APIClient().get("/api/health/ready")

    assert response.status_code == 200
    clickhouse = response.json()["services"]["clickhouse"]
    assert clickhouse["configured"] is False
    assert "SQL database" in clickhouse["detail"]


def test_passwords_never_appear_in_the_report(settings, kafka_bootstrap):
    settings.REDIS_URL = f"redis://user:s3cret@127.0.0.1:{free_port()}/0"

    body = APIClient().get("/api/health").json()

    assert "s3cret" not in str(body)
    assert body["services"]["redis"]["ok"] is False
