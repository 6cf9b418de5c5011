"""Upstream: trading.apis.portfolio_verify, trading.apis.portfolio_versions, trading.apis.trades, trading.urls
Downstream: trading.apis.base, trading.apis.schema, trading.apis.serializers, trading.models, trading.permissions, trading.selectors.live, trading.selectors.portfolios, trading.services.portfolios
Role: /api/portfolio/ CRUD and a portfolio's live status: thin views over the portfolio services and selectors."""

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from trading import models
from trading.apis.base import ApiView, PageSerializer, paginated, paginated_response, query
from trading.apis.schema import ErrorSerializer
from trading.apis.serializers import PortfolioConfigInputSerializer, PortfolioOutputSerializer
from trading.permissions import PORTFOLIO_READ, PORTFOLIO_WRITE
from trading.selectors.live import portfolio_status_get
from trading.selectors.portfolios import portfolio_get, portfolio_list
from trading.services.portfolios import portfolio_create, portfolio_delete, portfolio_update


class PortfolioCollectionApi(ApiView):
    """List portfolios; create one (stopped, version 1; publishes ``portfolio.create``)."""

    required_permissions = {"GET": PORTFOLIO_READ, "POST": PORTFOLIO_WRITE}

    class FilterSerializer(PageSerializer):
        desired_state = serializers.ChoiceField(models.DesiredState.choices, required=False)
        market = serializers.ChoiceField(models.Market.choices, required=False)

    class CreateInputSerializer(PortfolioConfigInputSerializer):
        portfolio_id = serializers.RegexField(models.PORTFOLIO_ID.regex.pattern, max_length=64)

    @extend_schema(
        operation_id="portfolio_list",
        parameters=[FilterSerializer],
        responses=paginated(PortfolioOutputSerializer),
    )
    def get(self, request: Request) -> Response:
        rows = portfolio_list(**query(request, self.FilterSerializer))
        return paginated_response(
            rows=rows, serializer_class=PortfolioOutputSerializer, request=request, view=self
        )

    @extend_schema(request=CreateInputSerializer, responses={201: PortfolioOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.CreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        portfolio = portfolio_create(
            actor=request.user,
            portfolio_id=data.pop("portfolio_id"),
            comment=data.pop("comment", ""),
            data=data,
        )
        return Response(PortfolioOutputSerializer(portfolio).data, status=status.HTTP_201_CREATED)


class PortfolioDetailApi(ApiView):
    """One portfolio. A change makes a new version (a running portfolio gets
    ``portfolio.reload``); only a stopped portfolio that never traded can be deleted."""

    required_permissions = {
        "GET": PORTFOLIO_READ,
        "PUT": PORTFOLIO_WRITE,
        "PATCH": PORTFOLIO_WRITE,
        "DELETE": PORTFOLIO_WRITE,
    }

    @extend_schema(responses=PortfolioOutputSerializer)
    def get(self, request: Request, portfolio_id: str) -> Response:
        return Response(PortfolioOutputSerializer(portfolio_or_404(portfolio_id)).data)

    @extend_schema(request=PortfolioConfigInputSerializer, responses=PortfolioOutputSerializer)
    def put(self, request: Request, portfolio_id: str) -> Response:
        return self._update(request, portfolio_id, partial=False)

    @extend_schema(request=PortfolioConfigInputSerializer, responses=PortfolioOutputSerializer)
    def patch(self, request: Request, portfolio_id: str) -> Response:
        return self._update(request, portfolio_id, partial=True)

    @extend_schema(responses={204: None, 409: ErrorSerializer})
    def delete(self, request: Request, portfolio_id: str) -> Response:
        portfolio_delete(actor=request.user, portfolio_id=portfolio_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request: Request, portfolio_id: str, *, partial: bool) -> Response:
        serializer = PortfolioConfigInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        portfolio = portfolio_update(
            actor=request.user,
            portfolio_id=portfolio_id,
            comment=data.pop("comment", ""),
            data=data,
        )
        return Response(PortfolioOutputSerializer(portfolio).data)


_TIME = {"type": "string", "description": "event time, ISO 8601 (empty: none yet)"}
_SPAN = {
    "type": "object",
    "properties": {
        "version": {"type": "integer"},
        "first_event_time": {"type": "string", "format": "date-time"},
        "last_event_time": {"type": "string", "format": "date-time"},
    },
    "required": ["version", "first_event_time", "last_event_time"],
}


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "description": "portfolio:{id}:status (status, node, version, queue sizes ...) as the "
        "node reports it; null when no node reports it",
        "properties": {
            "first_event_time": {
                **_TIME,
                "description": "the first price update the portfolio handled live under its "
                "current version (kept across migration and failover)",
            },
            "last_event_time": {**_TIME, "description": "the last price update it handled"},
            "spans": {
                "type": "array",
                "items": _SPAN,
                "description": "live spans, oldest first: one per configuration version, with "
                "the first and last price update it handled",
            },
        },
        "additionalProperties": {"type": "string"},
    }
)
class LiveStatusField(serializers.JSONField):
    """The live status hash, with its ``spans`` decoded (trading.selectors.live)."""


class PortfolioStatusApi(ApiView):
    """The desired state and version from the database, the live status from Redis."""

    required_permissions = {"GET": PORTFOLIO_READ}

    class OutputSerializer(serializers.Serializer):
        portfolio_id = serializers.CharField()
        desired_state = serializers.ChoiceField(models.DesiredState.choices)
        version = serializers.IntegerField()
        live = LiveStatusField(allow_null=True)

    @extend_schema(responses={200: OutputSerializer, 503: ErrorSerializer})
    def get(self, request: Request, portfolio_id: str) -> Response:
        portfolio = portfolio_or_404(portfolio_id)
        live = portfolio_status_get(portfolio_id=portfolio_id)
        return Response(
            self.OutputSerializer(
                {
                    "portfolio_id": portfolio.portfolio_id,
                    "desired_state": portfolio.desired_state,
                    "version": portfolio.version,
                    "live": live,
                }
            ).data
        )


def portfolio_or_404(portfolio_id: str) -> models.Portfolio:
    """The portfolio, or a 404 naming it."""
    portfolio = portfolio_get(portfolio_id=portfolio_id)
    if portfolio is None:
        raise NotFound(f"no portfolio {portfolio_id}")
    return portfolio
