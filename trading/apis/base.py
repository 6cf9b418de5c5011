"""Upstream: monitoring.apis, scheduling.apis, trading.apis.audit, trading.apis.backtests, trading.apis.components, trading.apis.data, trading.apis.engine, trading.apis.portfolio_control, trading.apis.portfolio_verify, trading.apis.portfolio_versions, trading.apis.portfolios, trading.apis.trades
Downstream: trading.apis.schema, trading.permissions
Role: what every API view shares: role permission, OpenAPI schema class, filter parsing and limit/offset pagination."""

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from trading.apis.schema import ApiSchema, component_name
from trading.permissions import HasRolePermission

MAX_LIMIT = 500
# Past any list's length, and within the database's integers.
MAX_OFFSET = 10**9
PAGE_FIELDS = ("limit", "offset")


class ApiView(APIView):
    # Base of our views (no docstring: the OpenAPI description comes from each view's own).
    # ``required_permissions`` maps each HTTP method to a ``resource:action``.

    permission_classes = (HasRolePermission,)
    schema = ApiSchema()
    required_permissions: dict[str, str] = {}


class PageSerializer(serializers.Serializer):
    """The paging query parameters; list views' filter serializers extend it."""

    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT)
    offset = serializers.IntegerField(required=False, min_value=0, max_value=MAX_OFFSET)


def query(request: Request, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
    """The validated query parameters (400 when invalid), paging ones left out."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return {
        key: value for key, value in serializer.validated_data.items() if key not in PAGE_FIELDS
    }


def paginated_response(
    *,
    rows: QuerySet | Sequence[Any],
    serializer_class: type[serializers.Serializer],
    request: Request,
    view: APIView,
) -> Response:
    """One page of ``rows``: ``{count, next, previous, results}``."""
    paginator = Pagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


def paginated(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    """The OpenAPI shape of :func:`paginated_response`'s answer."""
    name = component_name(serializer_class).removesuffix("Serializer")
    return inline_serializer(
        f"{name}Page",
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


class Pagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT
