"""Upstream: trading.urls
Downstream: trading.apis.base, trading.apis.errors, trading.apis.schema, trading.models, trading.permissions, trading.reports, trading.selectors.backtests, trading.services.backtests
Role: /api/engine/backtests: queue a backtest of a stored portfolio over uploaded CSV bars, list runs, read one with its results, and its HTML report."""

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer, StaticHTMLRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from trading import models
from trading.apis.base import ApiView, PageSerializer, paginated, paginated_response, query
from trading.apis.errors import Conflict
from trading.apis.schema import ErrorSerializer
from trading.permissions import BACKTEST_READ, BACKTEST_RUN
from trading.reports import backtest_run_report_html
from trading.selectors.backtests import backtest_get, backtest_list
from trading.services.backtests import backtest_create


class BacktestSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    report = serializers.SerializerMethodField(
        help_text="path of the run's HTML report once it is done, else null"
    )

    class Meta:
        model = models.Backtest
        fields = (
            "id",
            "portfolio",
            "portfolio_version",
            "symbol",
            "status",
            "error",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "report",
        )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_report(self, backtest: models.Backtest) -> str | None:
        if backtest.status != models.JobStatus.DONE:
            return None
        return reverse("backtest-report", args=[backtest.pk])


class BacktestCollectionApi(ApiView):
    """List backtest runs; queue one of a stored portfolio over uploaded CSV bars."""

    required_permissions = {"GET": BACKTEST_READ, "POST": BACKTEST_RUN}
    parser_classes = (MultiPartParser, FormParser)

    class FilterSerializer(PageSerializer):
        portfolio_id = serializers.CharField(required=False, max_length=64)
        status = serializers.ChoiceField(models.JobStatus.choices, required=False)

    class InputSerializer(serializers.Serializer):
        portfolio_id = serializers.CharField(max_length=64)
        symbol = serializers.CharField(
            max_length=32, required=False, default="", help_text="default: the first symbol"
        )
        bars = serializers.FileField(
            help_text="UTF-8 CSV: Date[,Time],Open,High,Low,Close[,Adj Close],Volume"
        )

    @extend_schema(
        operation_id="backtest_list",
        parameters=[FilterSerializer],
        responses=paginated(BacktestSerializer),
    )
    def get(self, request: Request) -> Response:
        return paginated_response(
            rows=backtest_list(**query(request, self.FilterSerializer)),
            serializer_class=BacktestSerializer,
            request=request,
            view=self,
        )

    @extend_schema(request=InputSerializer, responses={202: BacktestSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            bars_csv = data["bars"].read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise serializers.ValidationError({"bars": ["not UTF-8 text"]}) from None
        backtest = backtest_create(
            actor=request.user,
            portfolio_id=data["portfolio_id"],
            symbol=data["symbol"],
            bars_csv=bars_csv,
        )
        return Response(BacktestSerializer(backtest).data, status=status.HTTP_202_ACCEPTED)


class BacktestDetailApi(ApiView):
    """One backtest run: its status and, once done, its results."""

    required_permissions = {"GET": BACKTEST_READ}

    class OutputSerializer(BacktestSerializer):
        result = serializers.DictField(
            allow_null=True,
            help_text="statistics, trades, orders, per-bar equity and prices, once done",
        )

        class Meta(BacktestSerializer.Meta):
            fields = (*BacktestSerializer.Meta.fields, "result")

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, backtest_id: int) -> Response:
        backtest = backtest_get(backtest_id=backtest_id)
        if backtest is None:
            raise NotFound(f"no backtest {backtest_id}")
        return Response(self.OutputSerializer(backtest).data)


class BacktestReportApi(ApiView):
    """The run's report as one self-contained HTML page: equity with drawdown, prices with
    every fill, statistics and the trade list (nothing in it is fetched from elsewhere).
    409 until the run is done."""

    required_permissions = {"GET": BACKTEST_READ}
    # Errors stay JSON; a client that asks for HTML only is answered too.
    renderer_classes = (JSONRenderer, StaticHTMLRenderer)

    @extend_schema(responses={(200, "text/html"): OpenApiTypes.STR, 409: ErrorSerializer})
    def get(self, request: Request, backtest_id: int) -> HttpResponse:
        backtest = backtest_get(backtest_id=backtest_id)
        if backtest is None:
            raise NotFound(f"no backtest {backtest_id}")
        if backtest.status != models.JobStatus.DONE:
            raise Conflict(
                f"backtest {backtest_id} is {backtest.status}: no report until it is done"
            )
        html = backtest_run_report_html(backtest=backtest)
        return HttpResponse(html, content_type="text/html; charset=utf-8")
