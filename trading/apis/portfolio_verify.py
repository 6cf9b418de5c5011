"""Upstream: trading.urls
Downstream: trading.apis.base, trading.apis.errors, trading.apis.portfolios, trading.apis.schema, trading.core.enums, trading.core.errors, trading.core.ports, trading.permissions, trading.services.portfolio_verify
Role: GET /api/portfolio/{id}/verify: the paper twin: the portfolio's live fills against the replay of its live history, thin over trading.services.portfolio_verify."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from trading.apis.base import ApiView
from trading.apis.errors import Conflict, Unavailable
from trading.apis.portfolios import portfolio_or_404
from trading.apis.schema import ErrorSerializer
from trading.core.enums import Side
from trading.core.errors import CoreError
from trading.core.ports import StoreUnavailable
from trading.permissions import PORTFOLIO_READ
from trading.services.portfolio_verify import portfolio_verify


class FillRowSerializer(serializers.Serializer):
    time = serializers.DateTimeField(help_text="event time of the execution")
    symbol = serializers.CharField()
    side = serializers.ChoiceField([side.value for side in Side])
    quantity = serializers.CharField(help_text="a plain decimal")
    price = serializers.CharField(help_text="a plain decimal")
    commission = serializers.CharField(help_text="a plain decimal (not compared)")


class DivergenceSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="0-based, in event order (time, then symbol)")
    live = FillRowSerializer(allow_null=True, help_text="the recorded fill; null: none there")
    replayed = FillRowSerializer(allow_null=True, help_text="the replay's fill; null: none there")


class SpanSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="the configuration version that ran")
    first_event_time = serializers.DateTimeField()
    last_event_time = serializers.DateTimeField()
    bars = serializers.IntegerField(help_text="stored bars the replay went through")


class PortfolioVerifyApi(ApiView):
    """The paper twin: the portfolio's live history (each configuration version over the
    stored bars it ran on, positions and cash carried from one to the next, strategy and risk
    state kept or reset as the node's reload does) replayed by the backtest engine, and its
    fills compared with the recorded ones, fill by fill (time, symbol, side, quantity, price),
    up to the last stored bar. No live history yet: ``equal`` with no spans."""

    required_permissions = {"GET": PORTFOLIO_READ}

    class OutputSerializer(serializers.Serializer):
        portfolio_id = serializers.CharField()
        equal = serializers.BooleanField(help_text="live made exactly the replay's trades")
        spans = SpanSerializer(many=True)
        until = serializers.DateTimeField(
            allow_null=True,
            help_text="the last stored bar replayed: fills after it (on ticks, which are not "
            "stored) are not compared; null: no bar",
        )
        live_fills = serializers.IntegerField(help_text="recorded fills within the spans")
        replayed_fills = serializers.IntegerField()
        matched = serializers.IntegerField(help_text="equal fills before the first divergence")
        first_divergence = DivergenceSerializer(allow_null=True)

    @extend_schema(responses={200: OutputSerializer, 409: ErrorSerializer, 503: ErrorSerializer})
    def get(self, request: Request, portfolio_id: str) -> Response:
        portfolio = portfolio_or_404(portfolio_id)
        try:
            verification = portfolio_verify(portfolio_id=portfolio.portfolio_id)
        except StoreUnavailable as exc:
            raise Unavailable(str(exc)) from None
        except CoreError as exc:  # a stored version the core refuses
            raise Conflict(f"cannot replay {portfolio_id}: {exc}") from None
        return Response(self.OutputSerializer(verification.to_dict()).data)
