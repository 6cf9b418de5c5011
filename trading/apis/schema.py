"""Upstream: scheduling.apis, trading.apis.backtests, trading.apis.base, trading.apis.data, trading.apis.engine, trading.apis.portfolio_control, trading.apis.portfolio_verify, trading.apis.portfolios
Downstream: (none)
Role: the OpenAPI side of the API: component names from the view's nested serializers, and the error responses every operation can give."""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="machine-readable, e.g. invalid, not_authenticated")
    message = serializers.CharField(help_text="one readable line")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="dotted field path -> messages (validation errors only)",
    )


class ErrorSerializer(serializers.Serializer):
    """The one shape of every error the API answers."""

    error = ErrorDetailSerializer()


def component_name(serializer_class: type) -> str:
    """``PortfolioDetailApi.OutputSerializer`` -> ``PortfolioDetailOutputSerializer``."""
    return serializer_class.__qualname__.replace("Api.", "").replace(".", "")


class ApiSchema(AutoSchema):
    """Names nested serializers after their view (``PortfolioDetailApi.OutputSerializer`` ->
    ``PortfolioDetailOutput``) and documents the error answers of every operation."""

    def get_serializer_name(self, serializer: serializers.BaseSerializer, direction: str) -> str:
        return component_name(type(serializer))

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        codes = ["400", "401", "403", "429"]
        codes += ["404"] if "{" in self.path else []
        codes += ["415"] if self.method in ("POST", "PUT", "PATCH") else []
        for code in codes:
            responses.setdefault(
                code, self._get_response_for_code(ErrorSerializer, code, direction=direction)
            )
        return responses
