"""Upstream: bench.cluster_stack, scheduling.services.migration, trading.apis.engine, trading.apis.errors, trading.services.portfolios
Downstream: trading.bus.codec, trading.bus.config, trading.bus.messages, trading.bus.producer, trading.bus.topics, trading.models, trading.services.audit
Role: publishes SPEC.md §3 control commands on the control topic (now, or once the transaction commits); engine start/stop."""

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from trading import models
from trading.bus.codec import to_ns
from trading.bus.config import BusConfig
from trading.bus.messages import CommandType, ControlCommand
from trading.bus.producer import BusProducer
from trading.bus.topics import CONTROL_COMMANDS
from trading.services.audit import Actor, audit_record, audited, describe_error

logger = logging.getLogger(__name__)

_PRODUCERS: dict[BusConfig, BusProducer] = {}
_PRODUCERS_LOCK = threading.Lock()


class CommandNotDelivered(Exception):
    """The broker did not acknowledge a command in time (it may still arrive later)."""


def command_publish(
    *,
    command_type: CommandType,
    target_id: str,
    config: dict[str, Any] | None = None,
    version: int | None = None,
    reason: str = "",
) -> ControlCommand:
    """Publish a command keyed by its target and wait until the broker acknowledged it."""
    command = ControlCommand(
        ts=to_ns(timezone.now()),
        command_type=command_type,
        target_id=target_id,
        config=config,
        version=version,
        reason=reason or None,
    )
    producer = _producer(BusConfig.from_settings())
    producer.publish(CONTROL_COMMANDS, command)
    timeout = settings.GINKGO_COMMAND_TIMEOUT
    if producer.flush(timeout):
        raise CommandNotDelivered(
            f"{command_type} for {target_id} was not acknowledged by Kafka within {timeout:g} s"
        )
    return command


def command_publish_on_commit(
    *,
    actor: Actor,
    command_type: CommandType,
    target_id: str,
    config: dict[str, Any] | None = None,
    version: int | None = None,
    reason: str = "",
) -> None:
    """Publish a command once the current transaction commits (never for a rolled-back one).

    The committed change stands when publishing fails: the failure is logged and audited
    (action ``command.publish``), and the scheduler's periodic reconciliation still acts on
    the stored desired state.
    """

    def publish() -> None:
        try:
            command_publish(
                command_type=command_type,
                target_id=target_id,
                config=config,
                version=version,
                reason=reason,
            )
        except Exception as exc:
            logger.exception("publishing %s for %s failed", command_type, target_id)
            audit_record(
                actor=actor,
                action="command.publish",
                target_type="portfolio",
                target_id=target_id,
                parameters={"command_type": command_type.value, "version": version},
                outcome=models.Outcome.FAILED,
                error=describe_error(exc),
            )

    transaction.on_commit(publish)


def engine_start(*, actor: Actor, engine_id: str, reason: str = "") -> ControlCommand:
    """Open a LiveEngine's order intake (``engine.start``)."""
    return _engine_command(actor, CommandType.ENGINE_START, engine_id, reason)


def engine_stop(*, actor: Actor, engine_id: str, reason: str = "") -> ControlCommand:
    """Close a LiveEngine's order intake (``engine.stop``); working orders keep working."""
    return _engine_command(actor, CommandType.ENGINE_STOP, engine_id, reason)


def _engine_command(
    actor: Actor, command_type: CommandType, engine_id: str, reason: str
) -> ControlCommand:
    with audited(
        actor=actor,
        action=command_type.value,
        target_type="engine",
        target_id=engine_id,
        parameters={"reason": reason},
    ):
        return command_publish(command_type=command_type, target_id=engine_id, reason=reason)


def command_producers_close(timeout: float = 10.0) -> None:
    """Flush (up to ``timeout`` each) and forget this process's producers: at shutdown, or
    when the broker changes (tests)."""
    with _PRODUCERS_LOCK:
        for producer in _PRODUCERS.values():
            producer.close(timeout)
        _PRODUCERS.clear()


def _producer(bus: BusConfig) -> BusProducer:
    # One producer per bus per process: requests share it (it is thread-safe).
    with _PRODUCERS_LOCK:
        if bus not in _PRODUCERS:
            _PRODUCERS[bus] = BusProducer(bus, source="api")
        return _PRODUCERS[bus]
