"""Upstream: trading.node.host, trading.node.runtime
Downstream: trading.bus.consumer, trading.bus.messages
Role: NodeControl: turns control commands, schedule updates and interest sync requests into the node's intents; everything else on those topics is ignored."""

from collections.abc import Callable
from dataclasses import dataclass

from trading.bus.consumer import Delivery, UnexpectedMessage
from trading.bus.messages import (
    AnyMessage,
    CommandType,
    ControlCommand,
    InterestSyncRequest,
    InterestUpdate,
    NodeOffline,
    ScheduleUpdate,
)


@dataclass(frozen=True, slots=True)
class StartPortfolio:
    portfolio_id: str


@dataclass(frozen=True, slots=True)
class StopPortfolio:
    portfolio_id: str


@dataclass(frozen=True, slots=True)
class ReloadPortfolio:
    portfolio_id: str
    version: int | None = None


@dataclass(frozen=True, slots=True)
class MigratePortfolio:
    """``portfolio.migrate``: the portfolio moves from node ``source`` to ``target``."""

    portfolio_id: str
    source: str | None = None
    target: str | None = None


@dataclass(frozen=True, slots=True)
class ApplyPlan:
    """Run exactly these portfolios (a schedule update)."""

    portfolio_ids: frozenset[str]


@dataclass(frozen=True, slots=True)
class SyncPlan:
    """Read the plan from Redis now."""


@dataclass(frozen=True, slots=True)
class SaveCheckpoints:
    """Save the checkpoints the portfolios took now (one opened a live span)."""


Intent = (
    StartPortfolio
    | StopPortfolio
    | ReloadPortfolio
    | MigratePortfolio
    | ApplyPlan
    | SyncPlan
    | SaveCheckpoints
)

_COMMANDS: dict[CommandType, type[StartPortfolio | StopPortfolio]] = {
    CommandType.PORTFOLIO_START: StartPortfolio,
    CommandType.PORTFOLIO_STOP: StopPortfolio,
    CommandType.PORTFOLIO_DELETE: StopPortfolio,
}


def command_intent(command: ControlCommand) -> Intent | None:
    """The intent of a portfolio command (None: not a node's business)."""
    target = command.target_id
    if command.command_type is CommandType.PORTFOLIO_RELOAD:
        return ReloadPortfolio(target, command.version)
    if command.command_type is CommandType.PORTFOLIO_MIGRATE:
        moves = command.config or {}
        return MigratePortfolio(target, moves.get("from"), moves.get("to"))
    intent = _COMMANDS.get(command.command_type)
    return None if intent is None else intent(target)


class NodeControl:
    """Handler of the control, schedule-update and system-event topics for one node.

    Portfolio commands become intents for the node's life-cycle thread (which alone starts
    and stops portfolios, and ignores portfolios it does not host); a schedule update for
    this node becomes its new plan; an ``interest.sync_request`` is answered at once.
    Other nodes' announcements and engine commands are not the node's business.
    """

    def __init__(
        self, node_id: str, act: Callable[[Intent], None], announce: Callable[[], None]
    ) -> None:
        self.node_id = node_id
        self.ignored = 0
        self._act = act
        self._announce = announce

    def on_message(self, message: AnyMessage, delivery: Delivery) -> None:
        """Consumer-loop handler."""
        if isinstance(message, ControlCommand):
            intent = command_intent(message)
            if intent is None:
                self.ignored += 1
                return
            self._act(intent)
        elif isinstance(message, ScheduleUpdate):
            if message.node_id != self.node_id:
                self.ignored += 1
                return
            self._act(ApplyPlan(frozenset(message.portfolio_ids)))
        elif isinstance(message, InterestSyncRequest):
            self._announce()
        elif isinstance(message, InterestUpdate | NodeOffline):
            self.ignored += 1
        else:
            raise UnexpectedMessage(f"{type(message).__name__} on a control topic")
