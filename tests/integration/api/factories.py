"""Upstream: (entry point: pytest, imported by the API tests)
Downstream: tests.integration.bus.helpers, tests.integration.rows, trading.bus.messages, trading.models, trading.services.portfolios, trading.services.users
Role: small factories of the API tests: users with a role and their clients, portfolio payloads and rows, orders and fills."""

from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.models import AbstractUser
from rest_framework.test import APIClient

from tests.integration.bus.helpers import TopicRecorder, wait_until
from tests.integration.rows import filled_order
from trading import models
from trading.bus.messages import ControlCommand
from trading.services.portfolios import portfolio_create, portfolio_start
from trading.services.users import user_upsert

ROLES = ("admin", "developer", "trader", "viewer")


def make_user(role: str, username: str | None = None) -> tuple[AbstractUser, str]:
    """A user with ``role`` and its API token."""
    return user_upsert(username=username or f"{role}-user", role=role)


def client_for(role: str | None) -> APIClient:
    """A client authenticated by token as a user with ``role`` (None: anonymous)."""
    client = APIClient()
    if role is not None:
        _, token = make_user(role)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def portfolio_payload(**overrides: Any) -> dict[str, Any]:
    """A valid create request; ``overrides`` replace fields."""
    payload = {
        "portfolio_id": "alpha",
        "name": "Alpha",
        "market": "us",
        "symbols": ["AAPL", "MSFT"],
        "initial_capital": "100000",
        "strategy": {"name": "sma_cross", "params": {"period": 20}},
        "sizer": {"name": "fixed", "params": {"quantity": "10"}},
        "risks": [
            {"name": "loss_limit", "params": {"max_loss": "0.1"}},
            {"name": "position_ratio", "params": {"max_ratio": "0.2"}},
        ],
    }
    return {**payload, **overrides}


def make_portfolio(
    portfolio_id: str = "alpha", *, running: bool = False, **overrides: Any
) -> models.Portfolio:
    """A stored portfolio at version 1 (running when asked), made through the services."""
    data = portfolio_payload(**overrides)
    data.pop("portfolio_id")
    portfolio = portfolio_create(actor=None, portfolio_id=portfolio_id, data=data)
    if running:
        portfolio = portfolio_start(actor=None, portfolio_id=portfolio_id)
    return portfolio


def make_fill(
    portfolio: models.Portfolio,
    number: int,
    *,
    side: str = "buy",
    quantity: str = "10",
    price: str = "100",
    symbol: str = "AAPL",
    at: datetime | None = None,
) -> models.Fill:
    """A filled order and its fill, executed at ``at`` (default: 2026-01-0N)."""
    return filled_order(
        portfolio,
        client_order_id=f"{portfolio.pk}-1-{number}",
        fill_id=f"F{number}",
        side=side,
        quantity=quantity,
        price=price,
        symbol=symbol,
        at=at or datetime(2026, 1, number, 15, tzinfo=UTC),
    )


def command_for(recorder: TopicRecorder, command_type: str, target_id: str) -> ControlCommand:
    """The first recorded control command of a type for a target (waits for it)."""
    return wait_until(
        lambda: next(
            (
                c
                for c in recorder.of(ControlCommand)
                if c.command_type == command_type and c.target_id == target_id
            ),
            None,
        ),
        what=f"{command_type} for {target_id}",
    )
