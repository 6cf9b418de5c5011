"""Upstream: scheduling.services.migration, scheduling.services.node_control, scheduling.services.schedule, trading.services.backtests, trading.services.control, trading.services.portfolios
Downstream: trading.models
Role: the audit log's write side: records an action's outcome, and runs an action as one audited transaction."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from trading import models

Actor = AbstractBaseUser | None


def audit_record(
    *,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: str,
    parameters: Mapping[str, Any],
    outcome: models.Outcome,
    error: str = "",
) -> models.AuditEntry:
    """Store one audit entry."""
    return models.AuditEntry.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        action=action,
        target_type=target_type,
        target_id=_storable(target_id),
        parameters=_storable(dict(parameters)),
        outcome=outcome,
        error=_storable(error),
    )


@contextmanager
def audited(
    *, actor: Actor, action: str, target_type: str, target_id: str, parameters: Mapping[str, Any]
) -> Iterator[None]:
    """Run the block in one transaction that also records its success.

    When the block raises, its writes are rolled back, the failure (with the error) is
    recorded outside them, and the exception propagates.
    """
    record = partial(
        audit_record,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        parameters=parameters,
    )
    try:
        with transaction.atomic():
            yield
            record(outcome=models.Outcome.OK)
    except Exception as exc:
        record(outcome=models.Outcome.FAILED, error=describe_error(exc))
        raise


def _storable(value: Any) -> Any:
    # Requests are recorded as sent, but PostgreSQL text cannot hold NUL characters.
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, Mapping):
        return {_storable(key): _storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(item) for item in value]
    return value


def describe_error(exc: BaseException) -> str:
    """One readable line for an exception; validation errors list their fields."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
        )
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or type(exc).__name__
