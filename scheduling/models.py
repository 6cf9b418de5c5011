"""Upstream: bench.failover, ginkgo_site.devstack.cluster, monitoring.collectors, monitoring.notifications.rules, scheduling.admin, scheduling.apis, scheduling.management.commands.portfolio_migrate, scheduling.management.commands.schedule_run, scheduling.selectors, scheduling.services.assignments, scheduling.services.migration, scheduling.services.node_control, scheduling.services.nodes, scheduling.services.runs, scheduling.services.schedule, scheduling.tasks, scheduling.urls, (Django app registry)
Downstream: scheduling.placement, trading.models
Role: the scheduler's record: execution nodes, the assignment history of portfolios to nodes, and every scheduling run with its outcome."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from scheduling.placement import MoveReason, NodeStatus
from trading.models import Portfolio

NODE_ID = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$",
    "letters, digits, '_', '.' and '-', starting with a letter or digit, at most 64 characters",
)

# An assignment opens (or closes) for a placement reason, by hand, or to match the record
# with what the nodes were told (Redis) when the two had drifted apart.
MANUAL = "manual"
RECONCILE = "reconcile"
ASSIGNMENT_REASONS = [(reason.value, reason.value) for reason in MoveReason] + [
    (MANUAL, MANUAL),
    (RECONCILE, RECONCILE),
]


class ExecutionNode(models.Model):
    """A node as the scheduler knows it; nodes announce themselves by their heartbeat.

    ``status`` is administrative (active / disabled / draining) plus ``dead`` and ``left``,
    which the heartbeat check sets when the heartbeat key is gone (``left``: the node deleted
    it on a clean stop) and clears when it is back; ``gone_at`` is when it did.
    The operator's ``capacity`` wins over the node's ``declared_capacity``; with neither,
    ``GINKGO_NODE_CAPACITY`` applies.
    """

    node_id = models.CharField(primary_key=True, max_length=64, validators=[NODE_ID])
    host = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=16,
        choices=[(status.value, status.value) for status in NodeStatus],
        default=NodeStatus.ACTIVE.value,
    )
    capacity = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="operator's limit; empty: what the node declares, else GINKGO_NODE_CAPACITY",
    )
    declared_capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="what the node announces in its heartbeat"
    )
    last_heartbeat = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    gone_at = models.DateTimeField(
        null=True, blank=True, help_text="when the heartbeat check declared it dead or left"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("node_id",)

    def __str__(self) -> str:
        return f"{self.node_id} ({self.status})"

    @property
    def own_capacity(self) -> int | None:
        """The operator's or else the declared capacity (None: the deployment default)."""
        return self.declared_capacity if self.capacity is None else self.capacity


class RunTrigger(models.TextChoices):
    BEAT = "beat", "beat"
    HEARTBEAT_CHECK = "heartbeat-check", "heartbeat check"
    MANUAL = "manual", "manual"
    API = "api", "API"


class RunOutcome(models.TextChoices):
    RUNNING = "running", "running"
    OK = "ok", "ok"
    FAILED = "failed", "failed"
    SKIPPED_LOCKED = "skipped-locked", "skipped (locked)"


class SchedulingRun(models.Model):
    """One scheduling run (periodic, after a heartbeat change, or asked for), as a job row.

    ``moves`` is ``[{portfolio_id, from_node, to_node, reason}]``, ``pending``
    ``[{portfolio_id, reason}]``, ``changed_nodes`` the nodes whose plan was written and
    announced, ``warnings`` what went wrong without stopping the run (Redis unreadable,
    updates not acknowledged ...).
    """

    trigger = models.CharField(max_length=16, choices=RunTrigger.choices)
    rebalance = models.BooleanField(default=False)
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Indexed: the api's /metrics counts the runs finished since its last count.
    finished_at = models.DateTimeField(null=True, blank=True, db_index=True)
    outcome = models.CharField(
        max_length=16, choices=RunOutcome.choices, default=RunOutcome.RUNNING
    )
    moves_count = models.PositiveIntegerField(default=0)
    moves = models.JSONField(default=list, blank=True)
    pending = models.JSONField(default=list, blank=True)
    changed_nodes = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ("-started_at", "-id")

    def __str__(self) -> str:
        return f"run {self.pk} ({self.trigger}): {self.outcome}"


class Assignment(models.Model):
    """A portfolio placed on a node from ``since`` until ``until`` (None while current).

    A move closes the current row and opens a new one, so the rows are the history.
    """

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="assignments")
    node = models.ForeignKey(ExecutionNode, on_delete=models.PROTECT, related_name="assignments")
    since = models.DateTimeField()
    until = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=16, choices=ASSIGNMENT_REASONS)
    end_reason = models.CharField(max_length=16, choices=ASSIGNMENT_REASONS, blank=True)
    run = models.ForeignKey(
        SchedulingRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="assignments"
    )

    class Meta:
        ordering = ("-since", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("portfolio",),
                condition=Q(until__isnull=True),
                name="one_current_assignment_per_portfolio",
            )
        ]
        indexes = [models.Index(fields=("node", "until"))]

    def __str__(self) -> str:
        return f"{self.portfolio_id} on {self.node_id} since {self.since:%Y-%m-%d %H:%M:%S}"
