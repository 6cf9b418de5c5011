"""Upstream: trading.urls
Downstream: trading.apis.base, trading.permissions, trading.selectors.components
Role: /api/components/: the strategies, sizers and risk managers a portfolio can use, with their parameter specs."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from trading.apis.base import ApiView, query
from trading.permissions import COMPONENT_READ
from trading.selectors.components import PORTFOLIO_KINDS, component_list


class ComponentParamSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(["int", "float", "decimal", "bool", "str", "choice"])
    default = serializers.JSONField(allow_null=True)
    description = serializers.CharField(allow_blank=True)
    minimum = serializers.JSONField(allow_null=True)
    maximum = serializers.JSONField(allow_null=True)
    min_exclusive = serializers.BooleanField()
    max_exclusive = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.CharField())


class ComponentListApi(ApiView):
    """What a user interface needs to build a portfolio form; bounds are inclusive unless
    ``min_exclusive``/``max_exclusive``; decimal values travel as strings."""

    required_permissions = {"GET": COMPONENT_READ}

    class FilterSerializer(serializers.Serializer):
        kind = serializers.ChoiceField([kind.value for kind in PORTFOLIO_KINDS], required=False)

    class OutputSerializer(serializers.Serializer):
        kind = serializers.CharField()
        name = serializers.CharField()
        description = serializers.CharField(allow_blank=True)
        params = ComponentParamSerializer(many=True)

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        components = component_list(**query(request, self.FilterSerializer))
        return Response(self.OutputSerializer([c.to_dict() for c in components], many=True).data)
