"""Upstream: (included by name from ginkgo_site.urls)
Downstream: scheduling.apis, scheduling.models
Role: the scheduling app's API routes under /api/: schedule/* and nodes/*."""

from django.urls import path, re_path

from scheduling.apis import (
    NodeDetailApi,
    NodeDisableApi,
    NodeDrainApi,
    NodeEnableApi,
    NodeListApi,
    ScheduleMigrateApi,
    SchedulePlanApi,
    ScheduleRebalanceApi,
    ScheduleRunListApi,
)
from scheduling.models import NODE_ID

# Only well-formed node ids route; anything else is no node (404).
NODE = rf"^nodes/(?P<node_id>{NODE_ID.regex.pattern.strip('^$')})"

urlpatterns = [
    path("schedule/plan", SchedulePlanApi.as_view(), name="schedule-plan"),
    path("schedule/rebalance", ScheduleRebalanceApi.as_view(), name="schedule-rebalance"),
    path("schedule/migrate", ScheduleMigrateApi.as_view(), name="schedule-migrate"),
    path("schedule/runs", ScheduleRunListApi.as_view(), name="schedule-runs"),
    path("nodes/", NodeListApi.as_view(), name="node-list"),
    re_path(rf"{NODE}/$", NodeDetailApi.as_view(), name="node-detail"),
    re_path(rf"{NODE}/enable$", NodeEnableApi.as_view(), name="node-enable"),
    re_path(rf"{NODE}/disable$", NodeDisableApi.as_view(), name="node-disable"),
    re_path(rf"{NODE}/drain$", NodeDrainApi.as_view(), name="node-drain"),
]
