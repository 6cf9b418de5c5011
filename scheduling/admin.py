"""Upstream: (Django admin autodiscovery)
Downstream: scheduling.models, scheduling.placement, scheduling.services.node_control, trading.admin, trading.permissions
Role: the Django admin of scheduling: nodes (status and capacity through the services, which run the schedule), read-only assignments and runs."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from scheduling.models import Assignment, ExecutionNode, RunTrigger, SchedulingRun
from scheduling.placement import NodeStatus
from scheduling.services.node_control import (
    SETTABLE_STATUSES,
    node_capacity_set,
    node_status_set,
)
from trading.admin import RolePermissions
from trading.permissions import NODE_CONTROL, NODE_READ, SCHEDULE_READ


class ExecutionNodeForm(forms.ModelForm):
    class Meta:
        model = ExecutionNode
        fields = ("status", "capacity")

    def clean_status(self) -> str:
        status = self.cleaned_data["status"]
        if status not in SETTABLE_STATUSES and status != self.instance.status:
            raise forms.ValidationError(f"{status} is for the heartbeat check to say")
        return status


@admin.register(ExecutionNode)
class ExecutionNodeAdmin(RolePermissions, admin.ModelAdmin):
    read_permission = NODE_READ
    write_permission = NODE_CONTROL
    form = ExecutionNodeForm
    list_display = (
        "node_id",
        "status",
        "host",
        "capacity",
        "declared_capacity",
        "last_heartbeat",
        "started_at",
    )
    list_filter = ("status",)
    readonly_fields = (
        "node_id",
        "host",
        "declared_capacity",
        "last_heartbeat",
        "started_at",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # nodes announce themselves by their heartbeat

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the assignment history refers to them

    def save_model(
        self, request: HttpRequest, obj: ExecutionNode, form: forms.ModelForm, change: bool
    ) -> None:
        # Through the services: audited, and the schedule runs on the change at once.
        actor, manual = request.user, RunTrigger.MANUAL
        if "status" in form.changed_data:
            status = NodeStatus(obj.status)
            node_status_set(actor=actor, node_id=obj.node_id, status=status, trigger=manual)
        if "capacity" in form.changed_data:
            node_capacity_set(
                actor=actor, node_id=obj.node_id, capacity=obj.capacity, trigger=manual
            )


@admin.register(Assignment)
class AssignmentAdmin(RolePermissions, admin.ModelAdmin):
    read_permission = SCHEDULE_READ
    list_display = ("portfolio", "node", "since", "until", "reason", "end_reason", "run")
    list_filter = ("reason", "node")
    search_fields = ("portfolio__portfolio_id", "node__node_id")


@admin.register(SchedulingRun)
class SchedulingRunAdmin(RolePermissions, admin.ModelAdmin):
    read_permission = SCHEDULE_READ
    list_display = ("id", "started_at", "trigger", "outcome", "moves_count", "rebalance")
    list_filter = ("outcome", "trigger")
