"""Upstream: bench.cluster_stack, bench.reload, scheduling.management.commands.portfolio_migrate, scheduling.management.commands.portfolio_reload, scheduling.services.migration, trading.admin, trading.apis.errors, trading.apis.portfolio_control, trading.apis.portfolio_versions, trading.apis.portfolios, trading.services.demo
Downstream: trading.bus.messages, trading.models, trading.selectors.configs, trading.services.audit, trading.services.control, trading.services.portfolio_config
Role: every write to a portfolio: create, update, rollback, delete, start, stop, reload; each one audited, versioned and atomic."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from trading import models
from trading.bus.messages import CommandType
from trading.selectors.configs import Change, config_diff, portfolio_snapshot
from trading.services.audit import Actor, audited
from trading.services.control import command_publish_on_commit
from trading.services.portfolio_config import CONFIG_FIELDS, portfolio_config_clean

_TARGET = "portfolio"


class PortfolioConflict(Exception):
    """The portfolio's state forbids the action (deleting a running portfolio ...)."""


def portfolio_create(
    *, actor: Actor, portfolio_id: str, data: Mapping[str, Any], comment: str = ""
) -> models.Portfolio:
    """Create a stopped portfolio at version 1 and publish ``portfolio.create``."""
    with audited(**_audit(actor, "portfolio.create", portfolio_id, {**data, "comment": comment})):
        portfolio = models.Portfolio(portfolio_id=portfolio_id, **_new_fields(portfolio_id, data))
        try:
            with transaction.atomic():
                portfolio.save(force_insert=True)
        except IntegrityError:
            raise ValidationError({"portfolio_id": [f"{portfolio_id} already exists"]}) from None
        snapshot = portfolio_snapshot(portfolio=portfolio)
        _version_record(portfolio, actor, snapshot, config_diff(old={}, new=snapshot), comment)
        _publish(actor, portfolio, CommandType.PORTFOLIO_CREATE, comment)
    return portfolio


def portfolio_update(
    *, actor: Actor, portfolio_id: str, data: Mapping[str, Any], comment: str = ""
) -> models.Portfolio:
    """Change some configuration fields; a real change makes version N+1 and, when the
    portfolio runs, publishes ``portfolio.reload`` with it after the commit."""
    with audited(**_audit(actor, "portfolio.update", portfolio_id, {**data, "comment": comment})):
        return _reconfigure(_locked(portfolio_id), actor, data, comment)


def portfolio_rollback(
    *, actor: Actor, portfolio_id: str, version: int, comment: str = ""
) -> models.Portfolio:
    """Make a new version whose configuration equals ``version``'s (re-validated today)."""
    parameters = {"version": version, "comment": comment}
    with audited(**_audit(actor, "portfolio.rollback", portfolio_id, parameters)):
        portfolio = _locked(portfolio_id)
        target = portfolio.versions.filter(version=version).first()
        if target is None:
            raise ValidationError({"version": [f"{portfolio_id} has no version {version}"]})
        data = {field: target.config[field] for field in CONFIG_FIELDS if field in target.config}
        return _reconfigure(portfolio, actor, data, comment or f"rollback to version {version}")


def portfolio_delete(*, actor: Actor, portfolio_id: str) -> None:
    """Delete a stopped portfolio that never traded, and publish ``portfolio.delete``."""
    with audited(**_audit(actor, "portfolio.delete", portfolio_id, {})):
        portfolio = _locked(portfolio_id)
        if portfolio.desired_state == models.DesiredState.RUNNING:
            raise PortfolioConflict(f"{portfolio_id} is running: stop it before deleting it")
        try:
            with transaction.atomic():
                portfolio.delete()
        except ProtectedError:
            raise PortfolioConflict(
                f"{portfolio_id} has orders and fills, which keep it as their record"
            ) from None
        command_publish_on_commit(
            actor=actor, command_type=CommandType.PORTFOLIO_DELETE, target_id=portfolio_id
        )


def portfolio_start(*, actor: Actor, portfolio_id: str, reason: str = "") -> models.Portfolio:
    """Want the portfolio running and publish ``portfolio.start`` (idempotent)."""
    return _want(actor, portfolio_id, models.DesiredState.RUNNING, reason)


def portfolio_stop(*, actor: Actor, portfolio_id: str, reason: str = "") -> models.Portfolio:
    """Want the portfolio stopped and publish ``portfolio.stop`` (idempotent)."""
    return _want(actor, portfolio_id, models.DesiredState.STOPPED, reason)


def portfolio_reload(*, actor: Actor, portfolio_id: str, reason: str = "") -> models.Portfolio:
    """Ask the node running the portfolio to reload its current version."""
    with audited(**_audit(actor, "portfolio.reload", portfolio_id, {"reason": reason})):
        portfolio = _locked(portfolio_id)
        if portfolio.desired_state != models.DesiredState.RUNNING:
            raise PortfolioConflict(f"{portfolio_id} is stopped: start it instead of reloading")
        _publish(actor, portfolio, CommandType.PORTFOLIO_RELOAD, reason)
    return portfolio


def _want(
    actor: Actor, portfolio_id: str, state: models.DesiredState, reason: str
) -> models.Portfolio:
    running = state == models.DesiredState.RUNNING
    command = CommandType.PORTFOLIO_START if running else CommandType.PORTFOLIO_STOP
    with audited(**_audit(actor, command.value, portfolio_id, {"reason": reason})):
        portfolio = _locked(portfolio_id)
        portfolio.desired_state = state
        portfolio.save(update_fields=["desired_state", "updated_at"])
        _publish(actor, portfolio, command, reason)
    return portfolio


def _reconfigure(
    portfolio: models.Portfolio, actor: Actor, data: Mapping[str, Any], comment: str
) -> models.Portfolio:
    previous = portfolio_snapshot(portfolio=portfolio)
    current = {field: previous[field] for field in CONFIG_FIELDS}
    for field, value in portfolio_config_clean(data={**current, **data}).items():
        setattr(portfolio, field, value)
    snapshot = portfolio_snapshot(portfolio=portfolio)
    changes = config_diff(old=previous, new=snapshot)
    if not changes:
        return portfolio
    portfolio.version += 1
    portfolio.save()
    snapshot["version"] = portfolio.version
    _version_record(portfolio, actor, snapshot, changes, comment)
    if portfolio.desired_state == models.DesiredState.RUNNING:
        _publish(actor, portfolio, CommandType.PORTFOLIO_RELOAD, comment or "configuration changed")
    return portfolio


def _version_record(
    portfolio: models.Portfolio,
    actor: Actor,
    snapshot: dict[str, Any],
    changes: list[Change],
    comment: str,
) -> models.PortfolioVersion:
    return models.PortfolioVersion.objects.create(
        portfolio=portfolio,
        version=portfolio.version,
        config=snapshot,
        changes=[change.to_dict() for change in changes],
        comment=comment,
        author=actor,
    )


def _publish(actor: Actor, portfolio: models.Portfolio, command: CommandType, reason: str) -> None:
    command_publish_on_commit(
        actor=actor,
        command_type=command,
        target_id=portfolio.portfolio_id,
        config=portfolio_snapshot(portfolio=portfolio),
        version=portfolio.version,
        reason=reason,
    )


def _new_fields(portfolio_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    try:
        models.PORTFOLIO_ID(portfolio_id)
    except ValidationError as exc:
        errors["portfolio_id"] = exc.messages
    if models.Portfolio.objects.filter(pk=portfolio_id).exists():
        errors["portfolio_id"] = [f"{portfolio_id} already exists"]
    try:
        cleaned = portfolio_config_clean(data=data)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _locked(portfolio_id: str) -> models.Portfolio:
    portfolio = models.Portfolio.objects.select_for_update().filter(pk=portfolio_id).first()
    if portfolio is None:
        raise models.Portfolio.DoesNotExist(f"no portfolio {portfolio_id}")
    return portfolio


def _audit(
    actor: Actor, action: str, portfolio_id: str, parameters: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "actor": actor,
        "action": action,
        "target_type": _TARGET,
        "target_id": portfolio_id,
        "parameters": parameters,
    }
