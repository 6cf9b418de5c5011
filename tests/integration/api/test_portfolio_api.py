"""Upstream: (entry point: pytest)
Downstream: tests.integration.api.factories, trading.models
Role: /api/portfolio/ CRUD: creation with version 1, listing with filters, updates, deletion, and 400s that name the field and save nothing."""

import json

import pytest

from tests.integration.api.factories import client_for, make_fill, make_portfolio, portfolio_payload
from trading import models

pytestmark = pytest.mark.django_db


def _stored_state() -> tuple:
    return (
        list(models.Portfolio.objects.values()),
        list(models.PortfolioVersion.objects.values()),
    )


def test_create_stores_version_one_with_normalised_parameters():
    response = client_for("developer").post("/api/portfolio/", portfolio_payload(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["version"] == 1
    assert body["desired_state"] == "stopped"
    assert body["strategy"] == {"name": "sma_cross", "params": {"period": 20, "size": "1"}}
    version = models.PortfolioVersion.objects.get(portfolio_id="alpha")
    assert version.version == 1
    assert version.author.username == "developer-user"
    assert {"field": "strategy.params.period", "old": None, "new": 20} in version.changes


def test_sizer_defaults_to_the_signal_sizer_and_risks_to_none():
    payload = portfolio_payload()
    del payload["sizer"], payload["risks"]

    response = client_for("developer").post("/api/portfolio/", payload, format="json")

    assert response.status_code == 201
    assert response.json()["sizer"] == {"name": "signal", "params": {}}
    assert response.json()["risks"] == []


@pytest.mark.parametrize(
    ("change", "field", "named"),
    [
        ({"strategy": {"name": "no_such", "params": {}}}, "strategy.name", "no_such"),
        (
            {"strategy": {"name": "sma_cross", "params": {"period": 1}}},
            "strategy.params.period",
            ">= 2",
        ),
        (
            {"strategy": {"name": "sma_cross", "params": {"speed": 3}}},
            "strategy.params.speed",
            "speed",
        ),
        (
            {"risks": [{"name": "loss_limit", "params": {"max_loss": "2"}}]},
            "risks.0.params.max_loss",
            "max_loss",
        ),
        ({"symbols": ["aapl"]}, "symbols.0", "aapl"),
        ({"symbols": ["AAPL", "AAPL"]}, "symbols", "AAPL"),
        ({"symbols": []}, "symbols", ""),
        ({"initial_capital": "-5"}, "initial_capital", ""),
        ({"initial_capital": "NaN"}, "initial_capital", ""),
        ({"initial_capital": "Infinity"}, "initial_capital", ""),
        ({"initial_capital": "1e20"}, "initial_capital", ""),
        ({"initial_capital": "2000000000000000"}, "initial_capital", "at most 1e+15"),
        (
            {"strategy": {"name": "sma_cross", "params": {"period": 1e20}}},
            "strategy.params.period",
            "<= 10000",
        ),
        (
            {"strategy": {"name": "sma_cross", "params": {"size": "NaN"}}},
            "strategy.params.size",
            "must be a finite number",
        ),
        (
            {"sizer": {"name": "fixed", "params": {"quantity": "1e30"}}},
            "sizer.params.quantity",
            "<= 1000000000",
        ),
        ({"portfolio_id": "bad id!"}, "portfolio_id", ""),
    ],
)
def test_bad_configuration_is_a_400_naming_the_field_and_saves_nothing(change, field, named):
    client = client_for("developer")
    before = _stored_state()

    response = client.post("/api/portfolio/", portfolio_payload(**change), format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert named in " ".join(error["fields"][field])
    assert error["message"].startswith(f"{field}: ")
    assert _stored_state() == before
    assert not models.Portfolio.objects.exists()


def test_malformed_json_is_a_400_and_saves_nothing():
    before = _stored_state()

    response = client_for("developer").post(
        "/api/portfolio/", data='{"name": ', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert _stored_state() == before


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_json_numbers_that_are_not_numbers_are_a_400_never_a_500(literal):
    body = json.dumps(portfolio_payload()).replace('"100000"', literal)

    response = client_for("developer").post(
        "/api/portfolio/", data=body, content_type="application/json"
    )

    assert literal in body
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert not models.Portfolio.objects.exists()


def test_duplicate_id_is_a_400_naming_portfolio_id():
    make_portfolio("alpha")

    response = client_for("developer").post("/api/portfolio/", portfolio_payload(), format="json")

    assert response.status_code == 400
    assert "already exists" in response.json()["error"]["fields"]["portfolio_id"][0]


def test_list_is_paginated_and_filtered_by_desired_state_and_market():
    make_portfolio("alpha", running=True)
    make_portfolio("beta", market="hk")
    make_portfolio("gamma")
    client = client_for("viewer")

    page = client.get("/api/portfolio/?limit=2").json()
    running = client.get("/api/portfolio/?desired_state=running").json()
    hk = client.get("/api/portfolio/?market=hk").json()

    assert page["count"] == 3
    assert [p["portfolio_id"] for p in page["results"]] == ["alpha", "beta"]
    assert page["next"] is not None
    assert [p["portfolio_id"] for p in running["results"]] == ["alpha"]
    assert [p["portfolio_id"] for p in hk["results"]] == ["beta"]


def test_invalid_filter_is_a_400():
    response = client_for("viewer").get("/api/portfolio/?desired_state=dancing")

    assert response.status_code == 400
    assert "desired_state" in response.json()["error"]["fields"]


def test_detail_of_an_unknown_portfolio_is_a_404_in_the_error_shape():
    response = client_for("viewer").get("/api/portfolio/nope/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "nope" in response.json()["error"]["message"]


def test_patch_changes_one_parameter_as_a_new_version():
    make_portfolio("alpha")

    response = client_for("developer").patch(
        "/api/portfolio/alpha/",
        {"strategy": {"name": "sma_cross", "params": {"period": 30}}, "comment": "slower"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["version"] == 2
    latest = models.PortfolioVersion.objects.get(portfolio_id="alpha", version=2)
    assert latest.changes == [{"field": "strategy.params.period", "old": 20, "new": 30}]
    assert latest.comment == "slower"


def test_patch_that_changes_nothing_makes_no_version():
    make_portfolio("alpha")

    response = client_for("developer").patch(
        "/api/portfolio/alpha/", {"name": "Alpha"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert models.PortfolioVersion.objects.filter(portfolio_id="alpha").count() == 1


def test_bad_patch_is_a_400_and_leaves_the_portfolio_unchanged():
    make_portfolio("alpha")
    before = _stored_state()

    response = client_for("developer").patch(
        "/api/portfolio/alpha/",
        {"name": "Renamed", "strategy": {"name": "sma_cross", "params": {"period": 0}}},
        format="json",
    )

    assert response.status_code == 400
    assert "strategy.params.period" in response.json()["error"]["fields"]
    assert _stored_state() == before


def test_put_replaces_the_whole_configuration_absent_parts_by_their_defaults():
    make_portfolio("alpha")
    payload = portfolio_payload(name="Alpha 2", symbols=["TSLA"])
    del payload["portfolio_id"], payload["sizer"], payload["risks"]

    response = client_for("developer").put("/api/portfolio/alpha/", payload, format="json")

    assert response.status_code == 200
    assert response.json()["symbols"] == ["TSLA"]
    assert response.json()["sizer"] == {"name": "signal", "params": {}}
    assert response.json()["risks"] == []
    assert response.json()["version"] == 2


def test_delete_removes_a_stopped_portfolio_and_its_versions():
    make_portfolio("alpha")

    response = client_for("developer").delete("/api/portfolio/alpha/")

    assert response.status_code == 204
    assert not models.Portfolio.objects.exists()
    assert not models.PortfolioVersion.objects.exists()


def test_delete_of_a_running_portfolio_is_a_409():
    make_portfolio("alpha", running=True)

    response = client_for("developer").delete("/api/portfolio/alpha/")

    assert response.status_code == 409
    assert "stop it" in response.json()["error"]["message"]
    assert models.Portfolio.objects.filter(pk="alpha").exists()


def test_delete_of_a_portfolio_that_traded_is_a_409():
    make_fill(make_portfolio("alpha"), 1)

    response = client_for("developer").delete("/api/portfolio/alpha/")

    assert response.status_code == 409
    assert models.Portfolio.objects.filter(pk="alpha").exists()
