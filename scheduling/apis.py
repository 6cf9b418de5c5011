"""Upstream: scheduling.urls
Downstream: scheduling.models, scheduling.placement, scheduling.selectors, scheduling.services.migration, scheduling.services.node_control, scheduling.services.schedule, trading.apis.base, trading.apis.errors, trading.apis.schema, trading.models, trading.permissions
Role: /api/schedule/* (plan, rebalance, migrate, runs) and /api/nodes/* (list, detail, enable / disable / drain): thin views over the scheduling services and selectors."""

from fractions import Fraction

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from scheduling.models import NODE_ID, RunOutcome, RunTrigger, SchedulingRun
from scheduling.placement import NodeStatus
from scheduling.selectors import node_get, node_list, run_list, schedule_plan_get
from scheduling.services.migration import portfolio_migrate
from scheduling.services.node_control import node_status_set
from scheduling.services.schedule import LOCK_WAIT_SECONDS, schedule_run
from trading.apis.base import ApiView, PageSerializer, paginated, paginated_response, query
from trading.apis.errors import Conflict, Unavailable
from trading.apis.schema import ErrorSerializer
from trading.models import PORTFOLIO_ID
from trading.permissions import (
    NODE_CONTROL,
    NODE_READ,
    PORTFOLIO_CONTROL,
    SCHEDULE_CONTROL,
    SCHEDULE_READ,
)


class MoveOutputSerializer(serializers.Serializer):
    portfolio_id = serializers.CharField()
    from_node = serializers.CharField(allow_null=True)
    to_node = serializers.CharField(allow_null=True)
    reason = serializers.CharField()


class PendingOutputSerializer(serializers.Serializer):
    portfolio_id = serializers.CharField()
    reason = serializers.CharField()


class RunOutputSerializer(serializers.ModelSerializer):
    """One scheduling run and what it did."""

    moves = MoveOutputSerializer(many=True)
    pending = PendingOutputSerializer(many=True)
    changed_nodes = serializers.ListField(child=serializers.CharField())
    warnings = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = SchedulingRun
        fields = (
            "id",
            "trigger",
            "rebalance",
            "started_at",
            "finished_at",
            "outcome",
            "moves_count",
            "moves",
            "pending",
            "changed_nodes",
            "warnings",
            "error",
        )


class NodeOutputSerializer(serializers.Serializer):
    """A node: its status, heartbeat, load and portfolios."""

    node_id = serializers.CharField(source="node.node_id")
    host = serializers.CharField(source="node.host")
    status = serializers.ChoiceField(
        [status.value for status in NodeStatus],
        source="node.status",
        help_text="active, disabled, draining (the operator's); dead, left (the heartbeat "
        "check's: the heartbeat expired, or the node deleted it on a clean stop)",
    )
    alive = serializers.BooleanField(help_text="its heartbeat key is present")
    gone_at = serializers.DateTimeField(
        source="node.gone_at", allow_null=True, help_text="when it was declared dead or left"
    )
    forgotten = serializers.BooleanField(
        help_text="dead or left for longer than GINKGO_NODE_FORGET_AFTER, holding nothing: "
        "listed only with ?all=1"
    )
    last_heartbeat = serializers.DateTimeField(allow_null=True)
    heartbeat_age = serializers.FloatField(allow_null=True, help_text="seconds")
    started_at = serializers.DateTimeField(source="node.started_at", allow_null=True)
    capacity = serializers.IntegerField()
    load = serializers.FloatField(help_text="portfolios / capacity")
    portfolio_ids = serializers.ListField(child=serializers.CharField())


class SchedulePlanApi(ApiView):
    """The plan of record: each node's portfolios, and running portfolios on no node."""

    required_permissions = {"GET": SCHEDULE_READ}

    class OutputSerializer(serializers.Serializer):
        nodes = NodeOutputSerializer(many=True)
        pending = serializers.ListField(child=serializers.CharField())

    @extend_schema(operation_id="schedule_plan", responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(schedule_plan_get()).data)


class ScheduleRebalanceApi(ApiView):
    """Run the schedule now, rebalancing while the load spread passes the threshold
    (409 when another run kept the lock, 503 when the run failed)."""

    required_permissions = {"POST": SCHEDULE_CONTROL}

    class InputSerializer(serializers.Serializer):
        threshold = serializers.DecimalField(
            max_digits=5,
            decimal_places=4,
            min_value=0,
            max_value=1,
            required=False,
            help_text="max - min load (0..1) tolerated; default 0.25",
        )

    @extend_schema(
        request=InputSerializer,
        responses={200: RunOutputSerializer, 409: ErrorSerializer, 503: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        threshold = serializer.validated_data.get("threshold")
        run = schedule_run(
            trigger=RunTrigger.API,
            rebalance=True,
            threshold=None if threshold is None else Fraction(threshold),
            wait=LOCK_WAIT_SECONDS,
        )
        if run.outcome == RunOutcome.SKIPPED_LOCKED:
            raise Conflict(f"run {run.pk}: another schedule run is in progress; try again")
        if run.outcome == RunOutcome.FAILED:
            raise Unavailable(f"run {run.pk} failed: {run.error}")
        return Response(RunOutputSerializer(run).data)


class ScheduleMigrateApi(ApiView):
    """Move one running portfolio to ``target_node`` (default: the least-loaded other node
    with room); publishes ``portfolio.migrate`` and both nodes' schedule updates."""

    # Moving a portfolio is a trader's action (like start / stop / reload).
    required_permissions = {"POST": PORTFOLIO_CONTROL}

    class InputSerializer(serializers.Serializer):
        portfolio_id = serializers.RegexField(PORTFOLIO_ID.regex.pattern, max_length=64)
        target_node = serializers.RegexField(
            NODE_ID.regex.pattern, max_length=64, required=False, allow_null=True
        )

    class OutputSerializer(serializers.Serializer):
        portfolio_id = serializers.CharField()
        from_node = serializers.CharField()
        to_node = serializers.CharField()
        run = RunOutputSerializer()

    @extend_schema(
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
            503: ErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        migration = portfolio_migrate(actor=request.user, **serializer.validated_data)
        return Response(self.OutputSerializer(migration).data)


class ScheduleRunListApi(ApiView):
    """Scheduling runs, newest first: trigger, outcome, moves, pending portfolios, warnings."""

    required_permissions = {"GET": SCHEDULE_READ}

    class FilterSerializer(PageSerializer):
        trigger = serializers.ChoiceField(RunTrigger.choices, required=False)
        outcome = serializers.ChoiceField(RunOutcome.choices, required=False)

    @extend_schema(
        operation_id="schedule_runs_list",
        parameters=[FilterSerializer],
        responses=paginated(RunOutputSerializer),
    )
    def get(self, request: Request) -> Response:
        rows = run_list().filter(**query(request, self.FilterSerializer))
        return paginated_response(
            rows=rows, serializer_class=RunOutputSerializer, request=request, view=self
        )


class NodeListApi(ApiView):
    """The known nodes with heartbeat age, load, capacity, status and portfolios; nodes dead
    or left for longer than GINKGO_NODE_FORGET_AFTER only with ``?all=1``."""

    required_permissions = {"GET": NODE_READ}

    class FilterSerializer(PageSerializer):
        all = serializers.BooleanField(
            required=False, default=False, help_text="also the forgotten nodes"
        )

    @extend_schema(
        operation_id="nodes_list",
        parameters=[FilterSerializer],
        responses=paginated(NodeOutputSerializer),
    )
    def get(self, request: Request) -> Response:
        everything = query(request, self.FilterSerializer)["all"]
        return paginated_response(
            rows=node_list(forgotten=everything),
            serializer_class=NodeOutputSerializer,
            request=request,
            view=self,
        )


class NodeDetailApi(ApiView):
    """One node with heartbeat age, load, capacity, status and portfolios."""

    required_permissions = {"GET": NODE_READ}

    @extend_schema(operation_id="nodes_retrieve", responses=NodeOutputSerializer)
    def get(self, request: Request, node_id: str) -> Response:
        return Response(NodeOutputSerializer(node_get(node_id=node_id)).data)


class NodeStatusChangeApi(ApiView):
    required_permissions = {"POST": NODE_CONTROL}
    target_status: NodeStatus

    class OutputSerializer(serializers.Serializer):
        node = NodeOutputSerializer()
        run = RunOutputSerializer()

    @extend_schema(request=None, responses={200: OutputSerializer})
    def post(self, request: Request, node_id: str) -> Response:
        change = node_status_set(actor=request.user, node_id=node_id, status=self.target_status)
        body = {"node": node_get(node_id=change.node.node_id), "run": change.run}
        return Response(self.OutputSerializer(body).data)


class NodeEnableApi(NodeStatusChangeApi):
    """Make the node active (it takes portfolios again) and run the schedule."""

    target_status = NodeStatus.ACTIVE


class NodeDisableApi(NodeStatusChangeApi):
    """Disable the node: its portfolios move elsewhere, it takes nothing new; runs the schedule."""

    target_status = NodeStatus.DISABLED


class NodeDrainApi(NodeStatusChangeApi):
    """Drain the node: its portfolios move elsewhere, it takes nothing new; runs the schedule."""

    target_status = NodeStatus.DRAINING
