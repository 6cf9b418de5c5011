"""Upstream: (entry point: pytest)
Downstream: tests.integration.api.factories, trading.apis.parsers, trading.models
Role: hostile input is a 4xx in the API's JSON error format, never a 500 or an HTML page: deep or huge bodies, long lists, far dates, huge integers."""

import json
from typing import Any

import pytest
from django.conf import settings

from tests.integration.api.factories import client_for, make_portfolio, portfolio_payload
from trading import models
from trading.apis.parsers import MAX_JSON_DEPTH

pytestmark = pytest.mark.django_db

HUGE = 10**100
TEN_MB = 10 * 1024 * 1024


def _error(response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def _post_json(path: str, body: str | bytes, role: str = "developer"):
    return client_for(role).post(path, data=body, content_type="application/json")


def _nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


def test_json_nested_1000_deep_is_a_400():
    error = _error(_post_json("/api/portfolio/", "[" * 1000 + "]" * 1000), 400)

    assert error["code"] == "parse_error"
    assert f"{MAX_JSON_DEPTH} levels" in error["message"]
    assert not models.Portfolio.objects.exists()


def test_json_deeper_than_the_limit_inside_a_field_is_a_400():
    params = json.loads(_nested(MAX_JSON_DEPTH))
    body = json.dumps(portfolio_payload(strategy={"name": "sma_cross", "params": params}))

    error = _error(_post_json("/api/portfolio/", body), 400)

    assert error["code"] == "parse_error"


def test_json_within_the_depth_limit_is_read():
    body = json.dumps(portfolio_payload(comment=json.loads(_nested(MAX_JSON_DEPTH - 2))))

    error = _error(_post_json("/api/portfolio/", body), 400)

    assert error["fields"] == {"comment": ["Not a valid string."]}


def test_a_10_mb_json_body_is_a_413():
    body = json.dumps(portfolio_payload(comment="x" * TEN_MB))

    error = _error(_post_json("/api/portfolio/", body), 413)

    assert error["code"] == "too_large"
    assert str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) in error["message"]


def test_a_10_mb_form_body_is_a_413():
    response = client_for("developer").post(
        "/api/portfolio/",
        data=f"name={'x' * TEN_MB}",
        content_type="application/x-www-form-urlencoded",
    )

    assert _error(response, 413)["code"] == "too_large"


def test_a_10_mb_multipart_field_is_a_413():
    response = client_for("developer").post(
        "/api/engine/backtests", {"portfolio_id": "x" * TEN_MB}, format="multipart"
    )

    assert _error(response, 413)["code"] == "too_large"


def test_10000_symbols_are_a_400_naming_symbols():
    symbols = [f"S{n}" for n in range(10_000)]

    error = _error(
        _post_json("/api/portfolio/", json.dumps(portfolio_payload(symbols=symbols))), 400
    )

    assert set(error["fields"]) == {"symbols"}
    assert not models.Portfolio.objects.exists()


def test_a_thousand_risk_rules_are_a_400_naming_risks():
    risks = [{"name": "loss_limit", "params": {"max_loss": "0.1"}}] * 1000

    error = _error(_post_json("/api/portfolio/", json.dumps(portfolio_payload(risks=risks))), 400)

    assert set(error["fields"]) == {"risks"}


@pytest.mark.parametrize(
    ("component", "path"),
    [
        ({"strategy": {"name": "sma_cross", "params": {"period": HUGE}}}, "strategy.params.period"),
        ({"sizer": {"name": "fixed", "params": {"quantity": HUGE}}}, "sizer.params.quantity"),
        ({"initial_capital": HUGE}, "initial_capital"),
    ],
)
def test_a_huge_integer_is_a_400_naming_the_field(component, path):
    error = _error(_post_json("/api/portfolio/", json.dumps(portfolio_payload(**component))), 400)

    assert path in error["fields"]
    assert not models.Portfolio.objects.exists()


@pytest.mark.parametrize(
    "path", ["/api/data/bars?symbol=AAPL&", "/api/data/trades?portfolio=a&", "/api/data/stats?"]
)
@pytest.mark.parametrize(
    "bounds", ["end=9999-12-31", "start=0001-01-01&end=9999-12-31", "end=9999-12-31T23:59:59-14:00"]
)
def test_far_dates_are_clamped_on_the_data_api(settings, path, bounds):
    settings.CLICKHOUSE_URL = ""  # the SQL stores

    response = client_for("viewer").get(path + bounds)

    assert response.status_code == 200, response.content[:300]


@pytest.mark.parametrize(
    "path",
    [
        f"/api/portfolio/?offset={HUGE}",
        f"/api/audit/?offset={HUGE}",
        f"/api/engine/backtests?offset={HUGE}",
        f"/api/portfolio/?limit={HUGE}",
    ],
)
def test_a_huge_paging_parameter_is_a_400(path):
    error = _error(client_for("admin").get(path), 400)

    assert set(error["fields"]) & {"offset", "limit"}


@pytest.mark.parametrize(
    "path",
    [
        f"/api/portfolio/alpha/versions/diff?a=1&b={HUGE}",
        f"/api/portfolio/alpha/orders?offset={HUGE}",
        f"/api/portfolio/alpha/fills?offset={HUGE}",
        f"/api/engine/backtests/{HUGE}",
        f"/api/data/import/{HUGE}",
    ],
)
def test_a_huge_identifier_or_number_in_a_path_or_query_is_a_4xx(path):
    make_portfolio("alpha")

    response = client_for("admin").get(path)

    assert 400 <= response.status_code < 500, response.content[:300]
    _error(response, response.status_code)


def test_rolling_back_to_a_huge_version_is_a_4xx():
    make_portfolio("alpha")

    response = client_for("developer").post(
        "/api/portfolio/alpha/rollback", data={"version": HUGE}, format="json"
    )

    assert response.status_code in (400, 404)
    _error(response, response.status_code)


def test_a_request_django_refuses_before_any_view_is_a_json_400():
    # An unknown Host header: refused by Django's middleware, answered by handler400.
    response = client_for("viewer").get("/api/portfolio/", HTTP_HOST="evil.example")

    error = _error(response, 400)
    assert error["code"] == "bad_request"
    assert "evil" not in error["message"]  # the reason is logged, not answered
