"""Upstream: (entry point: pytest)
Downstream: tests.integration.api.factories
Role: /api/components/ lists what a portfolio can use with parameter specs; /api/audit/ shows who did what, with outcome, filterable."""

import pytest

from tests.integration.api.factories import client_for, make_portfolio, portfolio_payload

pytestmark = pytest.mark.django_db


def test_components_list_strategies_sizers_and_risks_with_parameter_specs():
    body = client_for("viewer").get("/api/components/").json()

    kinds = {component["kind"] for component in body}
    sma = next(c for c in body if c["name"] == "sma_cross")
    period = next(p for p in sma["params"] if p["name"] == "period")
    assert kinds == {"strategy", "sizer", "risk"}
    assert (period["type"], period["default"], period["minimum"]) == ("int", 20, 2)
    assert sma["description"]


def test_components_filter_by_kind():
    body = client_for("viewer").get("/api/components/?kind=risk").json()

    assert {c["name"] for c in body} == {"loss_limit", "position_ratio", "order_rate", "daily_loss"}


def test_a_change_is_audited_with_who_what_and_outcome():
    make_portfolio("alpha")

    client_for("developer").patch("/api/portfolio/alpha/", {"name": "Renamed"}, format="json")
    entries = client_for("admin").get("/api/audit/?action=portfolio.update").json()

    (entry,) = entries["results"]
    assert entry["actor"] == "developer-user"
    assert (entry["target_type"], entry["target_id"]) == ("portfolio", "alpha")
    assert entry["parameters"]["name"] == "Renamed"
    assert (entry["outcome"], entry["error"]) == ("ok", "")


def test_a_rejected_change_is_audited_as_failed_with_the_error():
    client_for("developer").post(
        "/api/portfolio/",
        portfolio_payload(strategy={"name": "sma_cross", "params": {"period": 1}}),
        format="json",
    )

    entries = client_for("admin").get("/api/audit/?outcome=failed").json()

    (entry,) = entries["results"]
    assert entry["action"] == "portfolio.create"
    assert "strategy.params.period" in entry["error"]


def test_audit_filters_by_target_and_actor():
    make_portfolio("alpha")
    make_portfolio("beta")
    client_for("trader").post("/api/portfolio/beta/start")
    client = client_for("admin")

    beta = client.get("/api/audit/?target_id=beta").json()
    trader = client.get("/api/audit/?actor=trader-user").json()

    assert [e["action"] for e in beta["results"]] == ["portfolio.start", "portfolio.create"]
    assert [e["action"] for e in trader["results"]] == ["portfolio.start"]
