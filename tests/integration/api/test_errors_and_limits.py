"""Upstream: (entry point: pytest)
Downstream: tests.integration.api.factories
Role: every error answer has one JSON shape (401, 403, 404, 405, 429 ...); throttling per user; CORS for configured origins."""

import pytest

from tests.integration.api.factories import client_for

pytestmark = pytest.mark.django_db


def _error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def test_anonymous_request_is_a_401_asking_for_a_token():
    response = client_for(None).get("/api/portfolio/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert _error(response)["code"] == "not_authenticated"


def test_a_bad_token_is_a_401():
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION="Token nope")

    response = client.get("/api/portfolio/")

    assert response.status_code == 401
    assert _error(response)["code"] == "authentication_failed"


def test_forbidden_is_a_403():
    response = client_for("viewer").post("/api/engine/start")

    assert response.status_code == 403
    assert _error(response)["code"] == "permission_denied"


def test_unknown_api_path_is_a_json_404():
    response = client_for("viewer").get("/api/nothing/here")

    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_unsupported_method_is_a_405():
    response = client_for("admin").delete("/api/components/")

    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"


def test_too_many_requests_is_a_429_with_retry_after(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "2/minute"},
    }
    client = client_for("viewer")

    statuses = [client.get("/api/components/").status_code for _ in range(3)]
    response = client.get("/api/components/")

    assert statuses == [200, 200, 429]
    assert _error(response)["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_throttling_counts_each_user_apart(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "1/minute"},
    }
    first, second = client_for("viewer"), client_for("trader")

    first.get("/api/components/")

    assert first.get("/api/components/").status_code == 429
    assert second.get("/api/components/").status_code == 200


def test_health_needs_no_authentication(settings):
    settings.CLICKHOUSE_URL = ""

    response = client_for(None).get("/api/health")

    assert response.status_code == 200


def test_schema_and_docs_need_authentication():
    assert client_for(None).get("/api/schema/").status_code == 401
    assert client_for("viewer").get("/api/schema/").status_code == 200


def test_configured_origin_gets_cors_headers(settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://ui.example.com"]

    allowed = client_for("viewer").get("/api/components/", HTTP_ORIGIN="https://ui.example.com")
    other = client_for("viewer").get("/api/components/", HTTP_ORIGIN="https://evil.example.com")

    assert allowed["Access-Control-Allow-Origin"] == "https://ui.example.com"
    assert "Access-Control-Allow-Origin" not in other
