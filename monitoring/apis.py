"""Upstream: monitoring.urls
Downstream: monitoring.selectors
Role: health endpoints: liveness with every service's state, and a readiness variant (503 when not ready)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from monitoring.selectors import health_report

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
