"""Upstream: trading.urls
Downstream: trading.apis.base, trading.apis.portfolios, trading.apis.serializers, trading.models, trading.permissions, trading.selectors.portfolios, trading.services.portfolios
Role: a portfolio's versions: list, field-by-field diff of two, rollback to one."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from trading import models
from trading.apis.base import ApiView, PageSerializer, paginated, paginated_response, query
from trading.apis.portfolios import portfolio_or_404
from trading.apis.serializers import COMMENT_MAX_LENGTH, PortfolioOutputSerializer
from trading.permissions import PORTFOLIO_READ, PORTFOLIO_WRITE
from trading.selectors.portfolios import (
    portfolio_version_diff,
    portfolio_version_get,
    portfolio_version_list,
)
from trading.services.portfolios import portfolio_rollback


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="dotted path, e.g. strategy.params.period")
    old = serializers.JSONField(allow_null=True, help_text="null: absent")
    new = serializers.JSONField(allow_null=True, help_text="null: absent")


class PortfolioVersionListApi(ApiView):
    """A portfolio's versions, newest first: who, when, what changed, the full config."""

    required_permissions = {"GET": PORTFOLIO_READ}

    class OutputSerializer(serializers.ModelSerializer):
        author = serializers.CharField(source="author.username", allow_null=True, default=None)
        config = serializers.DictField()
        changes = ChangeSerializer(many=True)

        class Meta:
            model = models.PortfolioVersion
            fields = ("version", "created_at", "author", "comment", "changes", "config")

    @extend_schema(
        operation_id="portfolio_versions_list",
        parameters=[PageSerializer],
        responses=paginated(OutputSerializer),
    )
    def get(self, request: Request, portfolio_id: str) -> Response:
        query(request, PageSerializer)
        portfolio = portfolio_or_404(portfolio_id)
        return paginated_response(
            rows=portfolio_version_list(portfolio_id=portfolio.portfolio_id),
            serializer_class=self.OutputSerializer,
            request=request,
            view=self,
        )


class PortfolioVersionDiffApi(ApiView):
    """What changed from version ``a`` to version ``b`` (either order), field by field."""

    required_permissions = {"GET": PORTFOLIO_READ}

    class FilterSerializer(serializers.Serializer):
        a = serializers.IntegerField(min_value=1)
        b = serializers.IntegerField(min_value=1)

    class OutputSerializer(serializers.Serializer):
        a = serializers.IntegerField()
        b = serializers.IntegerField()
        changes = ChangeSerializer(many=True)

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer)
    def get(self, request: Request, portfolio_id: str) -> Response:
        versions = query(request, self.FilterSerializer)
        old, new = (_version(portfolio_id, versions[key]) for key in ("a", "b"))
        changes = portfolio_version_diff(old=old, new=new)
        return Response(self.OutputSerializer({**versions, "changes": changes}).data)


class PortfolioRollbackApi(ApiView):
    """A new version whose configuration equals an earlier one's (nothing if it already does)."""

    required_permissions = {"POST": PORTFOLIO_WRITE}

    class InputSerializer(serializers.Serializer):
        version = serializers.IntegerField(min_value=1)
        comment = serializers.CharField(
            max_length=COMMENT_MAX_LENGTH, required=False, allow_blank=True, default=""
        )

    @extend_schema(request=InputSerializer, responses=PortfolioOutputSerializer)
    def post(self, request: Request, portfolio_id: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        portfolio = portfolio_rollback(
            actor=request.user, portfolio_id=portfolio_id, **serializer.validated_data
        )
        return Response(PortfolioOutputSerializer(portfolio).data)


def _version(portfolio_id: str, version: int) -> models.PortfolioVersion:
    found = portfolio_version_get(portfolio_id=portfolio_id, version=version)
    if found is None:
        raise NotFound(f"no version {version} of portfolio {portfolio_id}")
    return found
