"""Upstream: bench.feed_storage, bench.gateway_throughput, bench.migration, bench.storage, ginkgo_site.devstack.cluster, ginkgo_site.urls, monitoring.portfolio_page, monitoring.selectors, scheduling.apis, scheduling.models, scheduling.selectors, scheduling.services.migration, scheduling.services.schedule, trading.admin, trading.apis.audit, trading.apis.backtests, trading.apis.data, trading.apis.portfolio_control, trading.apis.portfolio_versions, trading.apis.portfolios, trading.apis.serializers, trading.apis.trades, trading.livecore.readiness, trading.node.checkpoints, trading.node.handover, trading.reports, trading.selectors.audit, trading.selectors.backtests, trading.selectors.configs, trading.selectors.portfolios, trading.selectors.trades, trading.services.audit, trading.services.backtests, trading.services.bar_imports, trading.services.control, trading.services.demo, trading.services.hot_positions, trading.services.orders, trading.services.portfolio_config, trading.services.portfolio_state, trading.services.portfolio_verify, trading.services.portfolios, trading.services.replays, trading.services.trade_mirror, trading.storage.feed_marks, trading.storage.sql_bars, trading.storage.sql_trades, trading.urls, (Django app registry)
Downstream: trading.core.catalog, trading.core.config, trading.core.enums
Role: the system of record for trading: portfolio configuration and its versions, orders, fills, audit entries, backtest runs."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
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
    # Wall-clock time, indexed: the summary counts orders per minute by it.
    recorded_at = models.DateTimeField(auto_now_add=True, db_index=True)
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
    # Indexed: the summary counts fills per minute by it.
    recorded_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("executed_at", "fill_id")
        indexes = [models.Index(fields=("portfolio", "executed_at"))]

    def __str__(self) -> str:
        return f"{self.fill_id} {self.side} {self.quantity} {self.symbol} @ {self.price}"


class Outcome(models.TextChoices):
    OK = "ok", "ok"
    FAILED = "failed", "failed"


class AuditEntry(models.Model):
    """Who did what to which target, with which parameters, and how it ended. Never edited."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # Kept apart from ``actor`` so the entry still names a user who was deleted since.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True, help_text="e.g. portfolio.update")
    target_type = models.CharField(max_length=32)
    target_id = models.CharField(max_length=128)
    parameters = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=("target_type", "target_id", "created_at"))]

    def __str__(self) -> str:
        return f"{self.action} {self.target_id} by {self.actor_name or '-'}: {self.outcome}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "queued"
    RUNNING = "running", "running"
    DONE = "done", "done"
    FAILED = "failed", "failed"


class Job(models.Model):
    """What every job row run by a worker has: its status, why it failed, who asked, and
    when it was created, started and finished."""

    status = models.CharField(
        max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ("-created_at", "-id")


class Backtest(Job):
    """One backtest run of a stored portfolio configuration over uploaded bars, as a job row."""

    portfolio = models.ForeignKey(
        Portfolio, null=True, blank=True, on_delete=models.SET_NULL, related_name="backtests"
    )
    portfolio_version = models.PositiveIntegerField()
    config = models.JSONField(help_text="the portfolio configuration the run used")
    symbol = models.CharField(max_length=32, help_text="the symbol the uploaded bars are of")
    bars_csv = models.TextField(help_text="the uploaded bars, in the core's CSV format")
    result = models.JSONField(null=True, blank=True)

    def __str__(self) -> str:
        return f"backtest {self.pk} of {self.portfolio_id} v{self.portfolio_version}: {self.status}"


# --- storage ---------------------------------------------------------------------------------


class Bar(models.Model):
    """One OHLCV bar of the SQL bar store (the embedded default when no ClickHouse is set).

    (symbol, interval, time) is unique: importing a bar again replaces it.
    """

    symbol = models.CharField(max_length=32)
    interval = models.CharField(max_length=8, default="1d")
    time = models.DateTimeField()
    open = models.DecimalField(**MONEY)
    high = models.DecimalField(**MONEY)
    low = models.DecimalField(**MONEY)
    close = models.DecimalField(**MONEY)
    volume = models.DecimalField(**MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("symbol", "interval", "time"), name="unique_bar")
        ]

    def __str__(self) -> str:
        return f"{self.symbol} {self.interval} {self.time:%Y-%m-%d %H:%M}"


class MirrorProgress(models.Model):
    """How far a mirror of fills into the trade store got: its high-water mark, the last
    fill copied in (recorded_at, fill_id) order."""

    name = models.CharField(primary_key=True, max_length=32)
    recorded_at = models.DateTimeField(null=True, blank=True)
    fill_id = models.CharField(max_length=128, blank=True)
    mirrored = models.BigIntegerField(default=0, help_text="fills copied so far")
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "mirror progress"

    def __str__(self) -> str:
        return f"mirror {self.name} at {self.recorded_at} {self.fill_id}"


class BarImport(Job):
    """One uploaded CSV file of bars going into the bar store, as a job row with progress."""

    file_name = models.CharField(max_length=200)
    path = models.CharField(max_length=500, help_text="where the upload waits for the worker")
    symbol = models.CharField(max_length=32)
    interval = models.CharField(max_length=8, default="1d")
    store = models.CharField(max_length=16, blank=True, help_text="the bar store written to")
    rows_total = models.BigIntegerField(null=True, blank=True)
    rows_done = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"bar import {self.pk} of {self.file_name}: {self.status}"


# --- checkpoints ---


class PortfolioCheckpoint(models.Model):
    """What a node saved of a running portfolio so another start continues from it: the
    pipeline's checkpoint (strategy and risk state; cash and positions always come from the
    fills), how far it had read the market (per symbol) and how many updates it processed.

    Written at every clean stop (stop, reload, migration, node shutdown) and periodically
    while the portfolio runs; a start restores the newest one whose ``version`` matches.
    """

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="checkpoints")
    run_epoch = models.PositiveIntegerField()
    version = models.PositiveIntegerField(help_text="the config version the state belongs to")
    node_id = models.CharField(max_length=64)
    reason = models.CharField(max_length=16, help_text="stop, reload, periodic")
    state = models.JSONField(encoder=DjangoJSONEncoder, help_text="PortfolioPipeline.checkpoint()")
    symbol_times = models.JSONField(default=dict, help_text="symbol -> last update time read")
    processed = models.BigIntegerField(default=0)
    last_event_time = models.DateTimeField(null=True, blank=True)
    saved_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-saved_at", "-id")
        indexes = [models.Index(fields=["portfolio", "-saved_at"], name="checkpoint_latest")]

    def __str__(self) -> str:
        return f"{self.portfolio_id} v{self.version} checkpoint at {self.saved_at}"


# --- market feed ---


class FeedMark(models.Model):
    """How far LiveCore's market feed got for one symbol of one market: the last update it
    published (or skipped as unwanted), its event time and price. A feed started with
    ``run_livecore --resume`` carries on after these, so a restart never goes back in time."""

    market = models.CharField(max_length=16, choices=Market.choices)
    symbol = models.CharField(max_length=32)
    time = models.DateTimeField(help_text="event time of the last update")
    price = models.DecimalField(**MONEY, help_text="a bar's close or a tick's price")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("market", "symbol"), name="unique_feed_mark")
        ]

    def __str__(self) -> str:
        return f"{self.market} {self.symbol} at {self.time.isoformat()}"
