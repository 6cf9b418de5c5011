"""Upstream: trading.urls
Downstream: trading.apis.base, trading.models, trading.permissions, trading.selectors.audit
Role: /api/audit/: the audit log, newest first, filtered and paginated."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from trading import models
from trading.apis.base import ApiView, PageSerializer, paginated, paginated_response, query
from trading.permissions import AUDIT_READ
from trading.selectors.audit import audit_list


class AuditListApi(ApiView):
    """Every control action and configuration change, newest first, with its outcome."""

    required_permissions = {"GET": AUDIT_READ}

    class FilterSerializer(PageSerializer):
        action = serializers.CharField(required=False, max_length=64)
        target_type = serializers.CharField(required=False, max_length=32)
        target_id = serializers.CharField(required=False, max_length=128)
        actor = serializers.CharField(required=False, max_length=150, help_text="user name")
        outcome = serializers.ChoiceField(models.Outcome.choices, required=False)
        since = serializers.DateTimeField(required=False, help_text="inclusive")
        until = serializers.DateTimeField(required=False, help_text="exclusive")

    class OutputSerializer(serializers.ModelSerializer):
        actor = serializers.CharField(source="actor_name")
        parameters = serializers.DictField()

        class Meta:
            model = models.AuditEntry
            fields = (
                "id",
                "created_at",
                "actor",
                "action",
                "target_type",
                "target_id",
                "parameters",
                "outcome",
                "error",
            )

    @extend_schema(
        operation_id="audit_list",
        parameters=[FilterSerializer],
        responses=paginated(OutputSerializer),
    )
    def get(self, request: Request) -> Response:
        return paginated_response(
            rows=audit_list(**query(request, self.FilterSerializer)),
            serializer_class=self.OutputSerializer,
            request=request,
            view=self,
        )
