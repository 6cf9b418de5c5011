"""Upstream: trading.urls
Downstream: trading.apis.base, trading.apis.schema, trading.apis.serializers, trading.models, trading.permissions, trading.services.portfolios
Role: POST /api/portfolio/{id}/start|stop|reload: change the desired state and publish the control command."""

from collections.abc import Callable

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from trading import models
from trading.apis.base import ApiView
from trading.apis.schema import ErrorSerializer
from trading.apis.serializers import PortfolioOutputSerializer, ReasonInputSerializer
from trading.permissions import PORTFOLIO_CONTROL
from trading.services.portfolios import portfolio_reload, portfolio_start, portfolio_stop

Command = Callable[..., models.Portfolio]


class _PortfolioControlApi(ApiView):
    required_permissions = {"POST": PORTFOLIO_CONTROL}
    command: Command

    @extend_schema(
        request=ReasonInputSerializer,
        responses={200: PortfolioOutputSerializer, 409: ErrorSerializer},
    )
    def post(self, request: Request, portfolio_id: str) -> Response:
        serializer = ReasonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        portfolio = self.command(
            actor=request.user, portfolio_id=portfolio_id, **serializer.validated_data
        )
        return Response(PortfolioOutputSerializer(portfolio).data)


class PortfolioStartApi(_PortfolioControlApi):
    """Want the portfolio running; publishes ``portfolio.start`` with its configuration."""

    command = staticmethod(portfolio_start)


class PortfolioStopApi(_PortfolioControlApi):
    """Want the portfolio stopped; publishes ``portfolio.stop``."""

    command = staticmethod(portfolio_stop)


class PortfolioReloadApi(_PortfolioControlApi):
    """Publish ``portfolio.reload`` with the current version (409 when it is stopped)."""

    command = staticmethod(portfolio_reload)
