"""Upstream: (Django app registry)
Downstream: trading.core.config, trading.core.enums
Role: the system of record for trading: portfolio configuration and its versions, orders, fills."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from trading.core.catalog import DEFAULT_SIZER
from trading.core.config import PortfolioConfig
from trading.core.enums import OrderStatus, OrderType, Side, TimeInForce

MONEY = {"max_digits": 24, "decimal_places": 8}
PORTFOLIO_ID = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.]{0,63}$",
    "letters, digits, '_' and '.', starting with a letter or digit, at most 64 characters",
)


def _choices(enum: type) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ")) for member in enum]


class Market(models.TextChoices):
    """Which market-data topic a portfolio's symbols arrive on (SPEC.md §3)."""

    DEFAULT = "default", "default"
    US = "us", "US"
    HK = "hk", "HK"
    FUTURES = "futures", "futures"


class DesiredState(models.TextChoices):
    RUNNING = "running", "running"
    STOPPED = "stopped", "stopped"


class Portfolio(models.Model):
    """A portfolio's current configuration; every change also writes a PortfolioVersion.

    ``run_epoch`` grows each time the portfolio starts somewhere, so client order ids of a
    new run never collide with an earlier run's.
    """

    portfolio_id = models.CharField(primary_key=True, max_length=64, validators=[PORTFOLIO_ID])
    name = models.CharField(max_length=200)
    market = models.CharField(max_length=16, choices=Market.choices, default=Market.DEFAULT)
    symbols = models.JSONField(default=list)
    initial_capital = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    strategy = models.JSONField(help_text='{"name": registered strategy, "params": {...}}')
    sizer = models.JSONField(default=dict, help_text='{"name": registered sizer, "params": {...}}')
    risks = models.JSONField(default=list, help_text="ordered [{name, params}, ...]")
    desired_state = models.CharField(
        max_length=16, choices=DesiredState.choices, default=DesiredState.STOPPED
    )
    version = models.PositiveIntegerField(default=1)
    run_epoch = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("portfolio_id",)

    def __str__(self) -> str:
        return f"{self.portfolio_id} v{self.version}"

    def config_dict(self) -> dict[str, Any]:
        """The core's PortfolioConfig in its JSON form (what a version snapshot stores)."""
        return {
            "portfolio_id": self.portfolio_id,
            "symbols": list(self.symbols),
            "initial_capital": str(self.initial_capital),
            "strategy": self.strategy,
            "sizer": self.sizer or {"name": DEFAULT_SIZER, "params": {}},
            "risks": list(self.risks),
            "version": self.version,
        }

    def to_config(self) -> PortfolioConfig:
        """The frozen core config; raises ConfigError when the stored data is malformed."""
        return PortfolioConfig.from_dict(self.config_dict())


class PortfolioVersion(models.Model):
    """An immutable snapshot of a portfolio's configuration, with who changed what."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    config = models.JSONField()
    changes = models.JSONField(default=list, help_text="[{field, old, new}, ...] vs the previous")
    comment = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("portfolio", "-version")
        constraints = [
            models.UniqueConstraint(
                fields=("portfolio", "version"), name="unique_portfolio_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.portfolio_id} v{self.version}"


class Order(models.Model):
    """An order as the venue side knows it; the client order id makes resends harmless."""

    client_order_id = models.CharField(primary_key=True, max_length=128)
    portfolio = models.ForeignKey(Portfolio, on_delete=models.PROTECT, related_name="orders")
    symbol = models.CharField(max_length=32)
    side = models.CharField(max_length=4, choices=_choices(Side))
    order_type = models.CharField(max_length=16, choices=_choices(OrderType))
    quantity = models.DecimalField(**MONEY)
    limit_price = models.DecimalField(**MONEY, null=True, blank=True)
    stop_price = models.DecimalField(**MONEY, null=True, blank=True)
    time_in_force = models.CharField(max_length=8, choices=_choices(TimeInForce))
    expire_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=_choices(OrderStatus), db_index=True)
    filled_quantity = models.DecimalField(**MONEY, default=Decimal(0))
    average_price = models.DecimalField(**MONEY, null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    tag = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(help_text="event time the portfolio created the order")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=("portfolio", "created_at"))]

    def __str__(self) -> str:
        return f"{self.client_order_id} {self.side} {self.quantity} {self.symbol} {self.status}"


class Fill(models.Model):
    """One execution; the fill id is unique, so recording it twice is impossible."""

    fill_id = models.CharField(primary_key=True, max_length=128)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="fills")
    portfolio = models.ForeignKey(Portfolio, on_delete=models.PROTECT, related_name="fills")
    symbol = models.CharField(max_length=32)
    side = models.CharField(max_length=4, choices=_choices(Side))
    quantity = models.DecimalField(**MONEY)
    price = models.DecimalField(**MONEY)
    commission = models.DecimalField(**MONEY, default=Decimal(0))
    executed_at = models.DateTimeField(help_text="event time of the execution")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("executed_at", "fill_id")
        indexes = [models.Index(fields=("portfolio", "executed_at"))]

    def __str__(self) -> str:
        return f"{self.fill_id} {self.side} {self.quantity} {self.symbol} @ {self.price}"
