"""Upstream: (entry point: pytest)
Downstream: monitoring.notifications.kinds, scheduling.models, scheduling.placement, scheduling.services.migration, scheduling.services.node_control, scheduling.services.schedule, tests.integration.scheduling.kit, trading.bus.messages, trading.bus.topics, trading.models, trading.services.portfolios
Role: manual migration against real services: exactly one portfolio moves, both nodes are told, the command and a migration notice go out, history is kept and counted; refusals change nothing."""

import pytest
from django.core.exceptions import ValidationError

from monitoring.notifications import kinds
from scheduling.models import Assignment, RunTrigger
from scheduling.placement import NodeStatus
from scheduling.services.migration import portfolio_migrate
from scheduling.services.node_control import node_status_set
from scheduling.services.schedule import heartbeat_check, schedule_run
from tests.integration.scheduling.kit import (
    announce,
    counted,
    recorded,
    redis_plan,
    running,
    updates_for,
)
from trading.bus.messages import CommandType, ControlCommand, Notification, ScheduleUpdate
from trading.bus.topics import CONTROL_COMMANDS, NOTIFICATIONS, SCHEDULE_UPDATES
from trading.models import Portfolio
from trading.services.portfolios import PortfolioConflict


@pytest.fixture
def placed(db, services) -> dict[str, str]:
    """n1 and n2 alive, p1..p3 placed on them."""
    for node_id in ("n1", "n2"):
        announce(services, node_id)
    running("p1", "p2", "p3")
    schedule_run(trigger=RunTrigger.BEAT)
    return recorded()


def test_a_manual_migration_moves_exactly_one_portfolio_and_keeps_its_history(
    placed, services, record
):
    bus = record(CONTROL_COMMANDS, SCHEDULE_UPDATES, NOTIFICATIONS)
    source = placed["p1"]
    target = {"n1": "n2", "n2": "n1"}[source]
    manual_moves = counted("ginkgo_scheduler_moves", reason="manual")
    api_runs = counted("ginkgo_scheduler_runs", trigger="api", outcome="ok")

    migration = portfolio_migrate(actor=None, portfolio_id="p1", target_node=target)

    assert (migration.from_node, migration.to_node) == (source, target)
    assert recorded() == {**placed, "p1": target}
    assert "p1" in redis_plan(services, target) and "p1" not in redis_plan(services, source)
    old, new = Assignment.objects.filter(portfolio_id="p1").order_by("since", "id")
    assert (old.node_id, old.end_reason, old.until is not None) == (source, "manual", True)
    assert (new.node_id, new.reason, new.until) == (target, "manual", None)
    assert migration.run.moves == [
        {"portfolio_id": "p1", "from_node": source, "to_node": target, "reason": "manual"}
    ]
    (command,) = bus.wait_for(ControlCommand)
    assert command.command_type == CommandType.PORTFOLIO_MIGRATE
    assert (command.target_id, command.config, command.version) == (
        "p1",
        {"from": source, "to": target},
        1,
    )
    bus.wait_for(ScheduleUpdate, count=3)  # two from the first run, the target's now
    assert set(updates_for(bus, target)[-1]) == redis_plan(services, target)
    # The source learns from the command (an update could overtake it on its own topic).
    assert "p1" in updates_for(bus, source)[-1] and len(updates_for(bus, source)) == 1
    (notice,) = bus.wait_for(Notification)
    assert (notice.kind, notice.level, notice.portfolio_id, notice.node_id) == (
        kinds.MIGRATION_DONE,
        "info",
        "p1",
        target,
    )
    assert f"p1 moved from {source} to {target}" in notice.message
    assert counted("ginkgo_scheduler_moves", reason="manual") == manual_moves + 1
    assert counted("ginkgo_scheduler_runs", trigger="api", outcome="ok") == api_runs + 1


def test_without_a_target_the_least_loaded_other_node_with_room_is_chosen(placed, services):
    announce(services, "n3")

    migration = portfolio_migrate(actor=None, portfolio_id="p1")

    assert migration.to_node == "n3"
    assert recorded() == {**placed, "p1": "n3"}


def test_the_next_run_leaves_a_manual_move_where_it_is(placed):
    target = {"n1": "n2", "n2": "n1"}[placed["p1"]]
    portfolio_migrate(actor=None, portfolio_id="p1", target_node=target)

    run = schedule_run(trigger=RunTrigger.BEAT)

    assert run.moves == [] and recorded()["p1"] == target


@pytest.mark.parametrize(
    "portfolio_id, target, error",
    [
        ("nope", None, Portfolio.DoesNotExist),
        ("p1", "ghost", ValidationError),
        ("stopped", None, PortfolioConflict),
        ("p1", "off", PortfolioConflict),
    ],
    ids=["unknown-portfolio", "unknown-node", "stopped-portfolio", "disabled-target"],
)
def test_a_refused_migration_changes_nothing(placed, services, portfolio_id, target, error):
    announce(services, "off")
    heartbeat_check()
    node_status_set(actor=None, node_id="off", status=NodeStatus.DISABLED)
    Portfolio.objects.create(portfolio_id="stopped", name="s", initial_capital=1, strategy={})
    history = Assignment.objects.count()

    with pytest.raises(error):
        portfolio_migrate(actor=None, portfolio_id=portfolio_id, target_node=target)

    assert recorded() == placed and Assignment.objects.count() == history


def test_the_same_node_as_target_is_invalid(placed):
    with pytest.raises(ValidationError):
        portfolio_migrate(actor=None, portfolio_id="p1", target_node=placed["p1"])
