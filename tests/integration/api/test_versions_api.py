"""Upstream: (entry point: pytest)
Downstream: tests.integration.api.factories, trading.bus.messages, trading.bus.topics, trading.models
Role: versioned configuration end to end: a change to a running portfolio makes N+1 and a portfolio.reload on the real broker; diff; rollback to N+2."""

import pytest

from tests.integration.api.factories import client_for, command_for, make_portfolio
from trading import models
from trading.bus.messages import CommandType, ControlCommand
from trading.bus.topics import CONTROL_COMMANDS

pytestmark = pytest.mark.django_db

SLOWER = {"strategy": {"name": "sma_cross", "params": {"period": 50}}}


def test_changing_a_running_portfolio_makes_version_two_and_publishes_its_reload(
    record, django_capture_on_commit_callbacks
):
    make_portfolio("alpha", running=True)
    commands = record(CONTROL_COMMANDS)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("developer").patch("/api/portfolio/alpha/", SLOWER, format="json")

    assert response.status_code == 200
    assert response.json()["version"] == 2
    reload = command_for(commands, CommandType.PORTFOLIO_RELOAD, "alpha")
    assert reload.version == 2
    assert reload.config["strategy"] == {"name": "sma_cross", "params": {"period": 50, "size": "1"}}
    assert reload.config["version"] == 2
    assert reload.ts > 0


def test_the_reload_command_is_keyed_by_the_portfolio_id(
    record, django_capture_on_commit_callbacks
):
    make_portfolio("alpha", running=True)
    commands = record(CONTROL_COMMANDS)

    with django_capture_on_commit_callbacks(execute=True):
        client_for("developer").patch("/api/portfolio/alpha/", SLOWER, format="json")

    command_for(commands, CommandType.PORTFOLIO_RELOAD, "alpha")
    (delivery,) = [d for m, d in commands.messages if isinstance(m, ControlCommand)]
    assert delivery.key == b"alpha"


def test_changing_a_stopped_portfolio_publishes_no_reload(django_capture_on_commit_callbacks, bus):
    make_portfolio("alpha")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for("developer").patch("/api/portfolio/alpha/", SLOWER, format="json")

    assert response.json()["version"] == 2
    assert callbacks == []


def test_versions_are_listed_newest_first_with_author_and_changes():
    make_portfolio("alpha")
    client = client_for("developer")
    client.patch("/api/portfolio/alpha/", SLOWER, format="json")

    body = client_for("viewer").get("/api/portfolio/alpha/versions/").json()

    assert body["count"] == 2
    newest, first = body["results"]
    assert (newest["version"], first["version"]) == (2, 1)
    assert newest["author"] == "developer-user"
    assert first["author"] is None
    assert newest["changes"] == [{"field": "strategy.params.period", "old": 20, "new": 50}]
    assert newest["config"]["strategy"]["params"]["period"] == 50


def test_diff_shows_exactly_the_changed_parameter():
    make_portfolio("alpha")
    client_for("developer").patch("/api/portfolio/alpha/", SLOWER, format="json")

    response = client_for("viewer").get("/api/portfolio/alpha/versions/diff?a=1&b=2")

    assert response.status_code == 200
    assert response.json() == {
        "a": 1,
        "b": 2,
        "changes": [{"field": "strategy.params.period", "old": 20, "new": 50}],
    }


def test_diff_flattens_nested_risk_parameters_and_whole_symbol_lists():
    make_portfolio("alpha")
    client_for("developer").patch(
        "/api/portfolio/alpha/",
        {
            "symbols": ["AAPL"],
            "risks": [{"name": "loss_limit", "params": {"max_loss": "0.05"}}],
        },
        format="json",
    )

    changes = client_for("viewer").get("/api/portfolio/alpha/versions/diff?a=1&b=2").json()

    assert changes["changes"] == [
        {"field": "symbols", "old": ["AAPL", "MSFT"], "new": ["AAPL"]},
        {"field": "risks.0.params.max_loss", "old": "0.1", "new": "0.05"},
        {"field": "risks.1.name", "old": "position_ratio", "new": None},
        {"field": "risks.1.params.max_ratio", "old": "0.2", "new": None},
    ]


def test_diff_of_a_missing_version_is_a_404():
    make_portfolio("alpha")

    response = client_for("viewer").get("/api/portfolio/alpha/versions/diff?a=1&b=9")

    assert response.status_code == 404
    assert "version 9" in response.json()["error"]["message"]


def test_rollback_makes_version_n_plus_two_equal_to_n_and_reloads_it(
    record, django_capture_on_commit_callbacks
):
    make_portfolio("alpha", running=True)
    client = client_for("developer")
    client.patch("/api/portfolio/alpha/", SLOWER, format="json")
    commands = record(CONTROL_COMMANDS)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/portfolio/alpha/rollback", {"version": 1}, format="json")

    assert response.status_code == 200
    assert response.json()["version"] == 3
    v1, v3 = (
        models.PortfolioVersion.objects.get(portfolio_id="alpha", version=n).config for n in (1, 3)
    )
    assert {k: v for k, v in v3.items() if k != "version"} == {
        k: v for k, v in v1.items() if k != "version"
    }
    diff = client.get("/api/portfolio/alpha/versions/diff?a=1&b=3").json()
    assert diff["changes"] == []
    reload = command_for(commands, CommandType.PORTFOLIO_RELOAD, "alpha")
    assert reload.version == 3
    assert reload.config["strategy"]["params"]["period"] == 20


def test_rollback_to_an_unknown_version_is_a_400_naming_version():
    make_portfolio("alpha")

    response = client_for("developer").post(
        "/api/portfolio/alpha/rollback", {"version": 7}, format="json"
    )

    assert response.status_code == 400
    assert "version" in response.json()["error"]["fields"]
    assert models.Portfolio.objects.get(pk="alpha").version == 1
