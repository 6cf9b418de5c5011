"""Upstream: (entry point: pytest)
Downstream: trading.bus.consumer, trading.bus.messages, trading.node.control
Role: the node's control handler: portfolio commands and its own schedule updates become intents, sync requests are answered, the rest is ignored."""

import pytest

from trading.bus.consumer import Delivery, UnexpectedMessage
from trading.bus.messages import (
    CommandType,
    ControlCommand,
    InterestSyncRequest,
    InterestUpdate,
    PriceTick,
    ScheduleUpdate,
)
from trading.node.control import (
    ApplyPlan,
    Intent,
    NodeControl,
    ReloadPortfolio,
    StartPortfolio,
    StopPortfolio,
)

DELIVERY = Delivery("t", 0, 0, None)


def handle(*messages: object) -> tuple[list[Intent], int, NodeControl]:
    intents: list[Intent] = []
    announced: list[None] = []
    control = NodeControl("n1", intents.append, lambda: announced.append(None))
    for message in messages:
        control.on_message(message, DELIVERY)  # type: ignore[arg-type]
    return intents, len(announced), control


def command(kind: CommandType, target: str = "P1") -> ControlCommand:
    return ControlCommand(ts=1, command_type=kind, target_id=target)


def test_portfolio_commands_become_intents() -> None:
    intents, _, _ = handle(
        command(CommandType.PORTFOLIO_START),
        command(CommandType.PORTFOLIO_STOP),
        command(CommandType.PORTFOLIO_RELOAD),
        command(CommandType.PORTFOLIO_DELETE, "P2"),
    )

    assert intents == [
        StartPortfolio("P1"),
        StopPortfolio("P1"),
        ReloadPortfolio("P1"),
        StopPortfolio("P2"),
    ]


def test_only_this_nodes_schedule_updates_become_its_plan() -> None:
    intents, _, control = handle(
        ScheduleUpdate(ts=1, node_id="n2", portfolio_ids=["P9"]),
        ScheduleUpdate(ts=2, node_id="n1", portfolio_ids=["P1", "P2"]),
    )

    assert intents == [ApplyPlan(frozenset({"P1", "P2"}))]
    assert control.ignored == 1


def test_a_sync_request_is_answered_and_other_nodes_announcements_are_ignored() -> None:
    intents, announced, control = handle(
        InterestSyncRequest(ts=1),
        InterestUpdate(ts=2, node_id="n2", symbols=["AAA"]),
        command(CommandType.ENGINE_STOP, "paper"),
    )

    assert (intents, announced, control.ignored) == ([], 1, 2)


def test_a_message_foreign_to_the_control_topics_is_refused() -> None:
    with pytest.raises(UnexpectedMessage):
        handle(PriceTick(ts=1, symbol="AAA", price=1, size=1))
