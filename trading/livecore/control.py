"""Upstream: trading.livecore.runtime
Downstream: trading.bus.consumer, trading.bus.messages, trading.livecore.engine, trading.livecore.stats
Role: EngineControl: applies engine.start / engine.stop commands addressed to this engine; ignores everything else."""

import logging
from collections.abc import Callable

from trading.bus.consumer import Delivery, UnexpectedMessage
from trading.bus.messages import AnyMessage, CommandType, ControlCommand
from trading.livecore.engine import LiveEngine
from trading.livecore.stats import Counters

logger = logging.getLogger(__name__)

_ENGINE_COMMANDS = frozenset({CommandType.ENGINE_START, CommandType.ENGINE_STOP})


class EngineControl:
    """Handler of the control topic for one engine.

    ``engine.stop`` closes order intake (new orders are rejected with "engine stopped";
    working orders keep working), ``engine.start`` opens it. Commands for other targets or of
    other kinds are someone else's. A command not newer than the last one applied (a
    redelivery, an old message seen again) changes nothing.
    """

    def __init__(
        self,
        engine: LiveEngine,
        counters: Counters,
        on_change: Callable[[], None],
        last_command_ts: int = 0,
    ) -> None:
        self.last_command_ts = last_command_ts
        self._engine = engine
        self._counters = counters
        self._on_change = on_change

    def on_command(self, message: AnyMessage, delivery: Delivery) -> None:
        """Apply ``message`` if it is an engine command for this engine."""
        if not isinstance(message, ControlCommand):
            raise UnexpectedMessage(f"{type(message).__name__} on the control topic")
        if (
            message.target_id != self._engine.engine_id
            or message.command_type not in _ENGINE_COMMANDS
            or message.ts <= self.last_command_ts
        ):
            self._counters.add("commands_ignored")
            return
        self.last_command_ts = message.ts
        self._engine.accepting = message.command_type is CommandType.ENGINE_START
        self._counters.add("commands")
        logger.info(
            "engine %s: %s (%s)", self._engine.engine_id, message.command_type, message.reason or ""
        )
        self._on_change()
