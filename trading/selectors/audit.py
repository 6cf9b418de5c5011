"""Upstream: trading.apis.audit
Downstream: trading.models
Role: reads of the audit log, newest first, with filters."""

from datetime import datetime

from django.db.models import QuerySet

from trading import models


def audit_list(
    *,
    action: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    actor: str | None = None,
    outcome: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[models.AuditEntry]:
    """Audit entries matching every filter given (``since`` inclusive, ``until`` exclusive)."""
    rows = models.AuditEntry.objects.all()
    exact = {
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "actor_name": actor,
        "outcome": outcome,
    }
    rows = rows.filter(**{field: value for field, value in exact.items() if value})
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    if until is not None:
        rows = rows.filter(created_at__lt=until)
    return rows
