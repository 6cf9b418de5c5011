"""Upstream: ginkgo_site.urls, monitoring.urls
Downstream: monitoring.models, monitoring.portfolio_page, monitoring.selectors, trading.apis.base, trading.bus.messages, trading.permissions, trading.selectors.portfolios
Role: monitoring's API: health (liveness, readiness), the metrics summary, the notices list, and the data of the dashboard and of its portfolio pages."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.models import Notice
from monitoring.portfolio_page import portfolio_page_data
from monitoring.selectors import dashboard_data, health_report, metrics_summary, notice_list
from trading.apis.base import ApiView, PageSerializer, paginated, paginated_response, query
from trading.bus.messages import NoticeLevel
from trading.permissions import METRICS_READ, NOTICE_READ, PORTFOLIO_READ
from trading.selectors.portfolios import portfolio_get

_SERVICE = inline_serializer(
    "ServiceHealth",
    {
        "name": serializers.CharField(),
        "where": serializers.CharField(),
        "configured": serializers.BooleanField(),
        "ok": serializers.BooleanField(allow_null=True),
        "latency_ms": serializers.FloatField(allow_null=True),
        "detail": serializers.CharField(),
    },
)
_REPORT = inline_serializer(
    "HealthReport",
    {
        "status": serializers.ChoiceField(["ok", "degraded"]),
        "ready": serializers.BooleanField(),
        "services": serializers.DictField(child=_SERVICE),
    },
)


class HealthApi(APIView):
    """Liveness: answers 200 while the process serves requests, with each service's state."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(responses={200: _REPORT})
    def get(self, request: Request) -> Response:
        return Response(health_report())


class ReadinessApi(APIView):
    """Readiness: 503 when any configured service is unreachable."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(responses={200: _REPORT, 503: _REPORT})
    def get(self, request: Request) -> Response:
        report = health_report()
        code = status.HTTP_200_OK if report["ready"] else status.HTTP_503_SERVICE_UNAVAILABLE
        return Response(report, status=code)


class SummaryNodeSerializer(serializers.Serializer):
    node_id = serializers.CharField()
    status = serializers.CharField(
        help_text="active, disabled, draining (the operator's); dead, left (the heartbeat check's)"
    )
    alive = serializers.BooleanField(help_text="its heartbeat key is present")
    heartbeat_age = serializers.FloatField(allow_null=True, help_text="seconds")
    portfolios = serializers.IntegerField(help_text="what it runs (else: is assigned)")


class SummaryNodesSerializer(serializers.Serializer):
    alive = serializers.IntegerField(help_text="heartbeat key present")
    dead = serializers.IntegerField(help_text="heartbeat expired, declared dead")
    left = serializers.IntegerField(help_text="stopped cleanly")
    items = SummaryNodeSerializer(
        many=True, help_text="dead and left nodes only until GINKGO_NODE_FORGET_AFTER"
    )


class SummaryPortfoliosSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = serializers.DictField(
        child=serializers.IntegerField(), help_text="live status (unreported: no node reported it)"
    )
    by_desired_state = serializers.DictField(child=serializers.IntegerField())
    not_running = serializers.ListField(
        child=serializers.CharField(), help_text="should run, but no node reports it running"
    )


class SummaryThroughputSerializer(serializers.Serializer):
    window_seconds = serializers.IntegerField()
    orders = serializers.IntegerField(help_text="orders recorded in the window")
    fills = serializers.IntegerField(help_text="fills recorded in the window")


class SummaryDropsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="updates dropped, summed over the live statuses")
    by_portfolio = serializers.DictField(child=serializers.IntegerField())


class SummaryLevelSerializer(serializers.Serializer):
    notices = serializers.IntegerField()
    occurrences = serializers.IntegerField()


class SummaryAlertsSerializer(serializers.Serializer):
    window_seconds = serializers.IntegerField()
    notices = serializers.IntegerField(help_text="notices seen in the window")
    occurrences = serializers.IntegerField(help_text="their grouped repeats, all told")
    by_level = serializers.DictField(child=SummaryLevelSerializer())


class MetricsSummaryApi(ApiView):
    """The stack at a glance: nodes alive, dead and left with heartbeat ages, portfolios by
    live status and desired state, orders and fills recorded in the last minute, updates
    dropped, and the notices of the last hour."""

    required_permissions = {"GET": METRICS_READ}

    class OutputSerializer(serializers.Serializer):
        generated_at = serializers.DateTimeField()
        live_state_error = serializers.CharField(
            allow_null=True, help_text="why Redis could not be read (live parts then empty)"
        )
        nodes = SummaryNodesSerializer()
        portfolios = SummaryPortfoliosSerializer()
        throughput = SummaryThroughputSerializer()
        drops = SummaryDropsSerializer()
        alerts = SummaryAlertsSerializer()

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(metrics_summary()).data)


class NoticeListApi(ApiView):
    """Stored notices, latest occurrence first; repeats are grouped into one notice with a
    count. Filter by level, kind, portfolio, node and ``since`` (latest occurrence)."""

    required_permissions = {"GET": NOTICE_READ}

    class FilterSerializer(PageSerializer):
        level = serializers.ChoiceField([level.value for level in NoticeLevel], required=False)
        kind = serializers.CharField(required=False, max_length=64)
        portfolio = serializers.CharField(required=False, max_length=64)
        node = serializers.CharField(required=False, max_length=64)
        since = serializers.DateTimeField(required=False, help_text="inclusive")

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = Notice
            exclude = ("last_event_ns",)

    @extend_schema(parameters=[FilterSerializer], responses=paginated(OutputSerializer))
    def get(self, request: Request) -> Response:
        return paginated_response(
            rows=notice_list(**query(request, self.FilterSerializer)),
            serializer_class=self.OutputSerializer,
            request=request,
            view=self,
        )


class DashboardDataApi(ApiView):
    """What the dashboard page polls (session authentication); not part of the public API."""

    required_permissions = {"GET": METRICS_READ}

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        return Response(dashboard_data())


class PortfolioPageDataApi(ApiView):
    """What the dashboard's portfolio page polls (session authentication): live equity and
    fills, the paper twin with the first divergence, positions, orders; not public API."""

    required_permissions = {"GET": PORTFOLIO_READ}

    @extend_schema(exclude=True)
    def get(self, request: Request, portfolio_id: str) -> Response:
        portfolio = portfolio_get(portfolio_id=portfolio_id)
        if portfolio is None:
            raise NotFound(f"no portfolio {portfolio_id}")
        return Response(portfolio_page_data(portfolio=portfolio))
