"""Upstream: (entry point: pytest)
Downstream: tests.integration.api.factories, trading.bus.messages, trading.bus.topics, trading.models
Role: the Django admin configures portfolios through the services: same validation, versions, reload commands, actions, read-only records."""

import json
from typing import Any

import pytest
from django.test import Client

from tests.integration.api.factories import command_for, make_fill, make_portfolio, make_user
from trading import models
from trading.bus.messages import CommandType
from trading.bus.topics import CONTROL_COMMANDS

pytestmark = pytest.mark.django_db

ADMIN = "/admin/trading/portfolio"


def _browser(role: str) -> Client:
    client = Client()
    client.force_login(make_user(role)[0])
    return client


def _form(client: Client, url: str, **fields: Any) -> dict[str, Any]:
    """What the admin page posts back: its inline management data plus ``fields``."""
    page = client.get(url)
    data: dict[str, Any] = {}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for form in formset.initial_forms:
            for name in ("id", "portfolio"):
                data[form.add_prefix(name)] = form[name].value()
    return {**data, **fields}


def _config(**overrides: Any) -> dict[str, Any]:
    fields = {
        "name": "Alpha",
        "market": "us",
        "symbols": "AAPL, MSFT",
        "initial_capital": "100000",
        "strategy": json.dumps({"name": "sma_cross", "params": {"period": 20}}),
        "sizer": json.dumps({"name": "fixed", "params": {"quantity": "10"}}),
        "risks": json.dumps(
            [
                {"name": "loss_limit", "params": {"max_loss": "0.1"}},
                {"name": "position_ratio", "params": {"max_ratio": "0.2"}},
            ]
        ),
    }
    return {**fields, **overrides}


def test_adding_a_portfolio_in_the_admin_makes_version_one_through_the_service():
    client = _browser("developer")

    response = client.post(
        f"{ADMIN}/add/", _form(client, f"{ADMIN}/add/", portfolio_id="alpha", **_config())
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    version = models.PortfolioVersion.objects.get(portfolio_id="alpha")
    assert version.version == 1
    assert version.author.username == "developer-user"
    assert models.Portfolio.objects.get(pk="alpha").strategy["params"] == {
        "period": 20,
        "size": "1",
    }
    assert models.AuditEntry.objects.get(action="portfolio.create").outcome == "ok"


def test_changing_a_running_portfolio_in_the_admin_makes_a_version_and_a_reload(
    record, django_capture_on_commit_callbacks
):
    make_portfolio("alpha", running=True)
    client = _browser("developer")
    url = f"{ADMIN}/alpha/change/"
    strategy = json.dumps({"name": "sma_cross", "params": {"period": 40}})
    data = _form(client, url, **_config(strategy=strategy, comment="slower"))
    commands = record(CONTROL_COMMANDS)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = models.PortfolioVersion.objects.get(portfolio_id="alpha", version=2)
    assert latest.changes == [{"field": "strategy.params.period", "old": 20, "new": 40}]
    assert latest.comment == "slower"
    assert command_for(commands, CommandType.PORTFOLIO_RELOAD, "alpha").version == 2


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("strategy", json.dumps({"name": "warp_drive", "params": {}}), "warp_drive"),
        ("strategy", json.dumps({"name": "sma_cross", "params": {"period": 1}}), "period"),
        ("symbols", "AAPL, aapl", "aapl"),
        ("risks", json.dumps([{"name": "loss_limit", "params": {"max_loss": 3}}]), "max_loss"),
    ],
)
def test_the_admin_rejects_what_the_api_rejects_and_saves_nothing(field, value, named):
    make_portfolio("alpha")
    client = _browser("developer")
    url = f"{ADMIN}/alpha/change/"

    response = client.post(url, _form(client, url, **_config(**{field: value})))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert named in " ".join(errors[field])
    assert models.Portfolio.objects.get(pk="alpha").version == 1


def test_the_change_page_shows_versions_with_a_readable_diff():
    make_portfolio("alpha")
    client = _browser("developer")
    url = f"{ADMIN}/alpha/change/"
    strategy = json.dumps({"name": "sma_cross", "params": {"period": 40}})
    client.post(url, _form(client, url, **_config(strategy=strategy)))

    page = client.get(url).content.decode()

    assert "<code>strategy.params.period</code>: 20 → 40" in page


@pytest.mark.parametrize(
    ("action", "running", "wanted"),
    [("start", False, "running"), ("stop", True, "stopped"), ("reload", True, "running")],
)
def test_admin_actions_control_portfolios_through_the_services(action, running, wanted):
    make_portfolio("alpha", running=running)

    response = _browser("trader").post(
        f"{ADMIN}/", {"action": action, "_selected_action": ["alpha"]}
    )

    assert response.status_code == 302
    assert models.Portfolio.objects.get(pk="alpha").desired_state == wanted
    assert models.AuditEntry.objects.filter(action=f"portfolio.{action}", outcome="ok").exists()


def test_a_role_without_control_gets_no_control_actions():
    make_portfolio("alpha")

    page = _browser("developer").get(f"{ADMIN}/")

    assert b'value="start"' not in page.content
    assert page.status_code == 200


def test_a_viewer_sees_portfolios_read_only():
    make_portfolio("alpha")
    client = _browser("viewer")

    assert client.get(f"{ADMIN}/").status_code == 200
    assert client.get(f"{ADMIN}/add/").status_code == 403
    assert client.post(f"{ADMIN}/alpha/change/", _config()).status_code == 403


def test_a_running_portfolio_cannot_be_deleted_in_the_admin():
    make_portfolio("alpha", running=True)

    response = _browser("developer").get(f"{ADMIN}/alpha/delete/")

    assert response.status_code == 403


@pytest.mark.parametrize("model", ["order", "fill", "auditentry", "backtest"])
def test_records_are_read_only_in_the_admin(model):
    make_fill(make_portfolio("alpha"), 1)
    client = _browser("admin")

    listing = client.get(f"/admin/trading/{model}/")
    adding = client.get(f"/admin/trading/{model}/add/")

    assert listing.status_code == 200
    assert adding.status_code == 403
