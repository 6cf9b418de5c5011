"""Upstream: trading.urls
Downstream: trading.apis.base, trading.apis.schema, trading.bus.codec, trading.bus.messages, trading.permissions, trading.selectors.live, trading.services.control
Role: /api/engine/start|stop (publish engine commands) and /api/engine/status (the engine's hash in Redis)."""

from collections.abc import Callable

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from trading.apis.base import ApiView, query
from trading.apis.schema import ErrorSerializer
from trading.bus.codec import from_ns
from trading.bus.messages import CommandType, ControlCommand
from trading.permissions import ENGINE_CONTROL, ENGINE_READ
from trading.selectors.live import engine_status_get
from trading.services.control import engine_start, engine_stop

# The engine id `manage.py run_livecore` uses unless told otherwise.
DEFAULT_ENGINE_ID = "paper"


class _EngineIdSerializer(serializers.Serializer):
    engine_id = serializers.RegexField(
        r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$", required=False, default=DEFAULT_ENGINE_ID
    )


class EngineCommandApi(ApiView):
    required_permissions = {"POST": ENGINE_CONTROL}
    command: Callable[..., ControlCommand]

    class InputSerializer(_EngineIdSerializer):
        reason = serializers.CharField(max_length=300, required=False, allow_blank=True)

    class OutputSerializer(serializers.Serializer):
        command_type = serializers.ChoiceField([command.value for command in CommandType])
        target_id = serializers.CharField()
        timestamp = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses={202: OutputSerializer, 503: ErrorSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        command = self.command(actor=request.user, **serializer.validated_data)
        body = {
            "command_type": command.command_type,
            "target_id": command.target_id,
            "timestamp": from_ns(command.ts),
        }
        return Response(self.OutputSerializer(body).data, status=status.HTTP_202_ACCEPTED)


class EngineStartApi(EngineCommandApi):
    """Publish ``engine.start``: the engine opens its order intake."""

    command = staticmethod(engine_start)


class EngineStopApi(EngineCommandApi):
    """Publish ``engine.stop``: the engine rejects new orders; working ones keep working."""

    command = staticmethod(engine_stop)


class EngineStatusApi(ApiView):
    """``engine:{id}:status`` from Redis; ``live`` is null when the engine never reported."""

    required_permissions = {"GET": ENGINE_READ}

    class OutputSerializer(serializers.Serializer):
        engine_id = serializers.CharField()
        live = serializers.DictField(child=serializers.CharField(), allow_null=True)

    @extend_schema(
        parameters=[_EngineIdSerializer], responses={200: OutputSerializer, 503: ErrorSerializer}
    )
    def get(self, request: Request) -> Response:
        engine_id = query(request, _EngineIdSerializer)["engine_id"]
        live = engine_status_get(engine_id=engine_id)
        return Response(self.OutputSerializer({"engine_id": engine_id, "live": live}).data)
