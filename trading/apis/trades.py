"""Upstream: trading.urls
Downstream: trading.apis.base, trading.apis.portfolios, trading.core.enums, trading.models, trading.permissions, trading.selectors.trades
Role: a portfolio's trading record: positions, orders, fills (paginated, filtered) and its equity curve."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from trading import models
from trading.apis.base import ApiView, PageSerializer, paginated, paginated_response, query
from trading.apis.portfolios import portfolio_or_404
from trading.core.enums import OrderStatus
from trading.permissions import PORTFOLIO_READ
from trading.selectors.trades import fill_list, order_list, portfolio_equity, portfolio_positions


def _money(**kwargs: object) -> serializers.DecimalField:
    # Computed values keep every digit the ledger has.
    return serializers.DecimalField(max_digits=None, decimal_places=None, **kwargs)  # type: ignore[arg-type]


class PositionSerializer(serializers.Serializer):
    symbol = serializers.CharField()
    quantity = _money()
    avg_price = _money(allow_null=True)
    mark = _money()
    market_value = _money()
    unrealised_pnl = _money()
    realised_pnl = _money()
    commission = _money()


class EquityPointSerializer(serializers.Serializer):
    time = serializers.DateTimeField()
    cash = _money()
    market_value = _money()
    equity = _money()


class TradeFilterSerializer(PageSerializer):
    symbol = serializers.CharField(required=False, max_length=32)
    since = serializers.DateTimeField(required=False, help_text="inclusive")
    until = serializers.DateTimeField(required=False, help_text="exclusive")


class PortfolioPositionsApi(ApiView):
    """Positions, cash and equity from the hot tier in Redis, else rebuilt from the stored
    fills by the core's ledger; each symbol is marked at its latest fill price (marks are not
    stored yet)."""

    required_permissions = {"GET": PORTFOLIO_READ}

    class OutputSerializer(serializers.Serializer):
        source = serializers.ChoiceField(
            ["redis", "database"], help_text="the hot tier, or rebuilt from the stored fills"
        )
        as_of = serializers.DateTimeField(allow_null=True, help_text="time of the latest fill")
        initial_capital = _money()
        cash = _money()
        market_value = _money()
        equity = _money()
        realised_pnl = _money()
        unrealised_pnl = _money()
        commissions = _money()
        positions = PositionSerializer(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, portfolio_id: str) -> Response:
        report = portfolio_positions(portfolio=portfolio_or_404(portfolio_id))
        return Response(self.OutputSerializer(report).data)


class PortfolioOrdersApi(ApiView):
    """A portfolio's orders, newest first; filter by symbol, status, creation time."""

    required_permissions = {"GET": PORTFOLIO_READ}

    class FilterSerializer(TradeFilterSerializer):
        status = serializers.ChoiceField([status.value for status in OrderStatus], required=False)

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = models.Order
            exclude = ("portfolio",)

    @extend_schema(
        operation_id="portfolio_orders_list",
        parameters=[FilterSerializer],
        responses=paginated(OutputSerializer),
    )
    def get(self, request: Request, portfolio_id: str) -> Response:
        filters = query(request, self.FilterSerializer)
        portfolio = portfolio_or_404(portfolio_id)
        return paginated_response(
            rows=order_list(portfolio_id=portfolio.portfolio_id, **filters),
            serializer_class=self.OutputSerializer,
            request=request,
            view=self,
        )


class PortfolioFillsApi(ApiView):
    """A portfolio's fills in execution order; filter by symbol and execution time."""

    required_permissions = {"GET": PORTFOLIO_READ}

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = models.Fill
            exclude = ("portfolio",)

    @extend_schema(
        operation_id="portfolio_fills_list",
        parameters=[TradeFilterSerializer],
        responses=paginated(OutputSerializer),
    )
    def get(self, request: Request, portfolio_id: str) -> Response:
        filters = query(request, TradeFilterSerializer)
        portfolio = portfolio_or_404(portfolio_id)
        return paginated_response(
            rows=fill_list(portfolio_id=portfolio.portfolio_id, **filters),
            serializer_class=self.OutputSerializer,
            request=request,
            view=self,
        )


class PortfolioEquityApi(ApiView):
    """Equity after each fill time, built from the fills and their prices: an approximation
    (flat between fills; open positions revalued only when the portfolio trades) until marks
    are stored."""

    required_permissions = {"GET": PORTFOLIO_READ}

    class OutputSerializer(serializers.Serializer):
        initial_capital = _money()
        points = EquityPointSerializer(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, portfolio_id: str) -> Response:
        portfolio = portfolio_or_404(portfolio_id)
        points = portfolio_equity(portfolio=portfolio)
        body = {"initial_capital": portfolio.initial_capital, "points": points}
        return Response(self.OutputSerializer(body).data)
