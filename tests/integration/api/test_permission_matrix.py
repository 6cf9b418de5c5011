"""Upstream: (entry point: pytest)
Downstream: tests.integration.api.factories, trading.models, trading.permissions
Role: every role against every API action (allowed: its success status; denied: 403), anonymous always 401, superusers everything."""

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.integration.api.factories import ROLES, client_for, make_portfolio, portfolio_payload
from trading import models
from trading.permissions import ROLE_PERMISSIONS

BARS = b"Date,Open,High,Low,Close,Volume\n2026-01-02,1,2,0.5,1.5,100\n"


@dataclass(frozen=True)
class Action:
    method: str
    path: str
    permission: str
    success: int
    body: dict[str, Any] = field(default_factory=dict)
    multipart: bool = False
    services: tuple[str, ...] = ()  # fixtures of what it reaches beyond the database

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    def perform(self, client: APIClient) -> int:
        call = getattr(client, self.method.lower())
        body = dict(self.body)
        if self.multipart:
            body["bars"] = SimpleUploadedFile("bars.csv", BARS, content_type="text/csv")
            return call(self.path, body, format="multipart").status_code
        return call(self.path, body or None, format="json").status_code


P = "/api/portfolio/alpha"
ACTIONS = [
    Action("GET", "/api/portfolio/", "portfolio:read", 200),
    Action(
        "POST", "/api/portfolio/", "portfolio:write", 201, portfolio_payload(portfolio_id="new")
    ),
    Action("GET", f"{P}/", "portfolio:read", 200),
    Action("PATCH", f"{P}/", "portfolio:write", 200, {"name": "Renamed"}),
    Action("PUT", f"{P}/", "portfolio:write", 200, portfolio_payload(name="Renamed")),
    Action("DELETE", f"{P}/", "portfolio:write", 204),
    Action("GET", f"{P}/status", "portfolio:read", 200, services=("redis_prefix",)),
    Action("POST", f"{P}/start", "portfolio:control", 200),
    Action("POST", f"{P}/stop", "portfolio:control", 200),
    Action("POST", "/api/portfolio/beta/reload", "portfolio:control", 200),
    Action("GET", f"{P}/versions/", "portfolio:read", 200),
    Action("GET", f"{P}/versions/diff?a=1&b=1", "portfolio:read", 200),
    Action("POST", f"{P}/rollback", "portfolio:write", 200, {"version": 1}),
    Action("GET", f"{P}/positions", "portfolio:read", 200, services=("redis_prefix",)),
    Action("GET", f"{P}/orders", "portfolio:read", 200),
    Action("GET", f"{P}/fills", "portfolio:read", 200),
    Action("GET", f"{P}/equity", "portfolio:read", 200),
    Action("GET", f"{P}/verify", "portfolio:read", 200),
    Action("POST", "/api/engine/start", "engine:control", 202, services=("bus",)),
    Action("POST", "/api/engine/stop", "engine:control", 202, services=("bus",)),
    Action("GET", "/api/engine/status", "engine:read", 200, services=("redis_prefix",)),
    Action("GET", "/api/engine/backtests", "backtest:read", 200),
    Action("POST", "/api/engine/backtests", "backtest:run", 202, {"portfolio_id": "alpha"}, True),
    Action("GET", "/api/components/", "component:read", 200),
    Action("GET", "/api/audit/", "audit:read", 200),
]


@pytest.fixture
def world(db, request, settings, action) -> None:
    """A stopped portfolio ``alpha``, a running ``beta``, and the services ``action`` uses."""
    for service in action.services:
        request.getfixturevalue(service)
    # Requested after the autouse settings fixture ran: point the settings here too.
    settings.KAFKA_BOOTSTRAP_SERVERS = request.getfixturevalue("kafka_bootstrap")
    settings.REDIS_URL = request.getfixturevalue("redis_url")
    make_portfolio("alpha")
    make_portfolio("beta", running=True)


@pytest.mark.parametrize("action", ACTIONS, ids=str)
@pytest.mark.parametrize("role", ROLES)
def test_role_may_do_exactly_what_its_permissions_say(world, role, action):
    allowed = action.permission in ROLE_PERMISSIONS[role]

    status = action.perform(client_for(role))

    assert status == (action.success if allowed else 403)


@pytest.mark.parametrize("action", ACTIONS, ids=str)
def test_anonymous_requests_are_401(world, action):
    status = action.perform(client_for(None))

    assert status == 401


@pytest.mark.parametrize("action", ACTIONS, ids=str)
def test_superuser_without_a_role_may_do_everything(world, action):
    client = APIClient()
    client.force_authenticate(User.objects.create_superuser("root", password=None))

    status = action.perform(client)

    assert status == action.success


def test_a_user_without_a_role_may_do_nothing(db):
    client = APIClient()
    client.force_authenticate(User.objects.create_user("nobody"))

    response = client.get("/api/portfolio/")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_denied_writes_change_nothing(db):
    make_portfolio("alpha")
    before = list(models.Portfolio.objects.values())

    client_for("viewer").patch(f"{P}/", {"name": "Renamed"}, format="json")

    assert list(models.Portfolio.objects.values()) == before
