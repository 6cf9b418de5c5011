"""Upstream: trading.data_urls
Downstream: trading.apis.base, trading.apis.errors, trading.apis.schema, trading.core.ports, trading.models, trading.permissions, trading.services.bar_imports, trading.services.storage
Role: /api/data/: bars (resampled), trade history, cross-portfolio statistics, CSV bar imports as jobs; thin views over the storage services (503 naming the store when it is down)."""

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from trading import models
from trading.apis.base import ApiView, PageSerializer, paginated, paginated_response, query
from trading.apis.errors import Unavailable
from trading.apis.schema import ErrorSerializer
from trading.core.ports import DAILY, StoreUnavailable
from trading.permissions import DATA_IMPORT, DATA_READ
from trading.services.bar_imports import bar_import_create, bar_import_get
from trading.services.storage import bar_series, trade_history, trade_report

STORE_HEADER = "X-Data-Store"
T = TypeVar("T")
# Range bounds are clamped to these: no bar or trade lies outside, and open-ended idioms
# (end=9999-12-31) stay clear of datetime's limits in later arithmetic.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def _money(**kwargs: Any) -> serializers.DecimalField:
    # Every digit the store holds, no rounding for display.
    return serializers.DecimalField(max_digits=None, decimal_places=None, **kwargs)  # type: ignore[arg-type]


@extend_schema_field(OpenApiTypes.STR)
class MomentField(serializers.Field):
    """A date (``2024-03-01``) or a date-time (ISO 8601, UTC unless it says otherwise),
    clamped to [:data:`EARLIEST`, :data:`LATEST`].

    As an end bound (``end_of_day``) a bare date includes that whole day.
    """

    def __init__(self, *, end_of_day: bool = False, **kwargs: Any) -> None:
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> datetime:
        return min(max(self._moment(str(data).strip()), EARLIEST), LATEST)

    def _moment(self, text: str) -> datetime:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            day = None
        if day is not None:
            moment = datetime.combine(day, time(), UTC)
            return moment + timedelta(days=1) if self.end_of_day and day < LATEST.date() else moment
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise serializers.ValidationError(
                "expected YYYY-MM-DD or an ISO 8601 date-time"
            ) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


class RangeSerializer(serializers.Serializer):
    start = MomentField(
        required=False, help_text="inclusive: YYYY-MM-DD or ISO date-time (from 1900 on)"
    )
    end = MomentField(
        required=False,
        end_of_day=True,
        help_text="exclusive; a bare date includes that day (until 2200 at most)",
    )


class BarSerializer(serializers.Serializer):
    time = serializers.DateTimeField(help_text="start of the bar (UTC)")
    open = _money()
    high = _money()
    low = _money()
    close = _money()
    volume = _money()


class FiguresSerializer(serializers.Serializer):
    portfolio_id = serializers.CharField(allow_null=True, help_text="null in the total")
    trades = serializers.IntegerField()
    turnover = _money(help_text="bought plus sold value")
    commission = _money()
    realised_pnl = _money(
        help_text="min(bought, sold) x (average sell - average buy) per symbol over the period"
    )
    net_pnl = _money(help_text="realised P&L minus commissions")


class TradeSerializer(serializers.Serializer):
    fill_id = serializers.CharField()
    portfolio_id = serializers.CharField()
    client_order_id = serializers.CharField()
    symbol = serializers.CharField()
    side = serializers.CharField()
    quantity = _money()
    price = _money()
    commission = _money()
    executed_at = serializers.DateTimeField()


class BarImportSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    progress = serializers.SerializerMethodField(help_text="rows done / rows in the file, 0..1")

    class Meta:
        model = models.BarImport
        fields = (
            "id",
            "file_name",
            "symbol",
            "interval",
            "status",
            "store",
            "rows_total",
            "rows_done",
            "progress",
            "error",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        )

    def get_progress(self, job: models.BarImport) -> float | None:
        if job.status == models.JobStatus.DONE:
            return 1.0
        if not job.rows_total:
            return None
        return min(job.rows_done / job.rows_total, 1.0)


class DataApi(ApiView):
    """Reading data needs ``data:read``; uploading bars needs ``data:import``."""

    required_permissions = {"GET": DATA_READ, "POST": DATA_IMPORT}


def _from_store(what: str, read: Callable[[], T]) -> T:
    try:
        return read()
    except StoreUnavailable as exc:
        raise Unavailable(f"{what}: {exc}") from None


_UNAVAILABLE = {503: ErrorSerializer}


class BarListApi(DataApi):
    """A symbol's bars: stored 1d (or intraday) bars, or resampled to 1w, 1mo, 15m, 1h..."""

    class FilterSerializer(RangeSerializer):
        symbol = serializers.CharField(max_length=32)
        interval = serializers.CharField(
            max_length=8, default=DAILY, help_text="1d (default), 1w, 1mo, 1m, 5m, 15m, 1h, ..."
        )

    class OutputSerializer(serializers.Serializer):
        store = serializers.CharField(help_text="the store that answered: clickhouse or sql")
        symbol = serializers.CharField()
        interval = serializers.CharField()
        source_interval = serializers.CharField(
            allow_null=True, help_text="stored interval the bars were built from"
        )
        bars = BarSerializer(many=True)

    @extend_schema(
        operation_id="data_bars",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **_UNAVAILABLE},
    )
    def get(self, request: Request) -> Response:
        filters = query(request, self.FilterSerializer)
        series = _from_store("bar store", lambda: bar_series(**filters))
        return Response(self.OutputSerializer(series).data, headers={STORE_HEADER: series.store})


class TradeListApi(DataApi):
    """A portfolio's trade history (ClickHouse when configured), by execution time."""

    class FilterSerializer(RangeSerializer, PageSerializer):
        portfolio = serializers.CharField(max_length=64)

    @extend_schema(
        operation_id="data_trades",
        parameters=[FilterSerializer],
        responses={200: paginated(TradeSerializer), **_UNAVAILABLE},
    )
    def get(self, request: Request) -> Response:
        filters = query(request, self.FilterSerializer)
        history = _from_store(
            "trade store",
            lambda: trade_history(
                portfolio_id=filters["portfolio"],
                start=filters.get("start"),
                end=filters.get("end"),
            ),
        )
        response = paginated_response(
            rows=history.trades, serializer_class=TradeSerializer, request=request, view=self
        )
        response[STORE_HEADER] = history.store
        return response


class TradeStatsApi(DataApi):
    """Trades, turnover, commissions and realised P&L of every portfolio, and in total."""

    class OutputSerializer(serializers.Serializer):
        store = serializers.CharField()
        portfolios = FiguresSerializer(many=True, source="statistics.portfolios")
        total = FiguresSerializer(source="statistics.total")

    @extend_schema(
        operation_id="data_stats",
        parameters=[RangeSerializer],
        responses={200: OutputSerializer, **_UNAVAILABLE},
    )
    def get(self, request: Request) -> Response:
        filters = query(request, RangeSerializer)
        report = _from_store("trade store", lambda: trade_report(**filters))
        return Response(self.OutputSerializer(report).data, headers={STORE_HEADER: report.store})


class BarImportCollectionApi(DataApi):
    """Upload a CSV file of bars; it is imported by a Celery task (GET the job for progress)."""

    parser_classes = (MultiPartParser, FormParser)

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(
            help_text="UTF-8 CSV: Date[,Time],Open,High,Low,Close[,Adj Close],Volume"
        )
        symbol = serializers.CharField(
            max_length=32, required=False, default="", help_text="default: the file name's stem"
        )
        interval = serializers.CharField(max_length=8, required=False, default=DAILY)

    @extend_schema(
        operation_id="data_import_create",
        request=InputSerializer,
        responses={202: BarImportSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = bar_import_create(
            actor=request.user,
            upload=data["file"],
            symbol=data["symbol"],
            interval=data["interval"],
        )
        return Response(BarImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class BarImportDetailApi(DataApi):
    """One import job: status and progress (rows done of rows in the file)."""

    @extend_schema(operation_id="data_import_get", responses=BarImportSerializer)
    def get(self, request: Request, import_id: int) -> Response:
        job = bar_import_get(import_id=import_id)
        if job is None:
            raise NotFound(f"no import {import_id}")
        return Response(BarImportSerializer(job).data)
