"""Upstream: (entry point: pytest)
Downstream: scheduling.placement, scheduling.plans
Role: the pure plan arithmetic around placement: merge with the record, changes, reasons, failovers, migration target, notice gate."""

from scheduling.placement import (
    Move,
    MoveReason,
    Node,
    NodeStatus,
    PendingPortfolio,
    PlacementConfig,
)
from scheduling.plans import (
    failovers,
    migration_target,
    move_reasons,
    node_has_room,
    notice_due,
    plan_changes,
    plan_locations,
    plan_merge,
)

CONFIG = PlacementConfig(default_capacity=2)


# --- plan_merge -------------------------------------------------------------------------------


def test_merge_keeps_what_redis_told_the_nodes() -> None:
    told = {"a": {"p1"}, "b": {"p2"}}

    assert plan_merge(told, {"p1": "a", "p2": "b"}) == {"a": {"p1"}, "b": {"p2"}}


def test_merge_rebuilds_everything_from_the_record_when_redis_lost_the_plans() -> None:
    merged = plan_merge({}, {"p1": "a", "p2": "b", "p3": "a"})

    assert merged == {"a": {"p1", "p3"}, "b": {"p2"}}


def test_merge_puts_back_only_the_portfolios_redis_lost() -> None:
    merged = plan_merge({"a": {"p1"}}, {"p1": "b", "p2": "b"})

    # p1 is where the nodes were told (Redis wins); p2 was lost and comes back from the record.
    assert merged == {"a": {"p1"}, "b": {"p2"}}


# --- plan_changes -----------------------------------------------------------------------------


def test_changes_are_the_nodes_whose_set_differs() -> None:
    new = {"a": frozenset({"p1"}), "b": frozenset({"p2", "p3"}), "c": frozenset()}
    told = {"a": {"p1"}, "b": {"p2"}}

    assert plan_changes(new, told) == {"b": frozenset({"p2", "p3"})}


def test_a_node_that_lost_everything_changes_to_empty() -> None:
    assert plan_changes({"a": frozenset()}, {"a": {"p1"}}) == {"a": frozenset()}


def test_a_node_redis_knows_but_the_plan_does_not_is_emptied() -> None:
    assert plan_changes({}, {"gone": {"p1"}}) == {"gone": frozenset()}


def test_unreadable_redis_rewrites_every_node() -> None:
    new = {"a": frozenset({"p1"}), "b": frozenset()}

    assert plan_changes(new, None) == new


def test_no_change_gives_nothing_to_write() -> None:
    assert plan_changes({"a": frozenset({"p1"}), "b": frozenset()}, {"a": {"p1"}}) == {}


# --- plan_locations and move_reasons -----------------------------------------------------------


def test_locations_map_each_portfolio_to_its_node() -> None:
    assert plan_locations({"a": frozenset({"p1", "p2"}), "b": frozenset({"p3"})}) == {
        "p1": "a",
        "p2": "a",
        "p3": "b",
    }


def test_a_move_to_a_node_outranks_a_dropped_duplicate_copy() -> None:
    moves = [
        Move("p1", "x", "b", MoveReason.ORPHANED),
        Move("p1", "y", None, MoveReason.DUPLICATE),
    ]

    assert move_reasons(moves, []) == {"p1": "orphaned"}


def test_pending_portfolios_keep_the_reason_they_needed_a_node() -> None:
    moves = [Move("p1", "x", None, MoveReason.ORPHANED)]

    reasons = move_reasons(moves, [PendingPortfolio("p1", MoveReason.ORPHANED)])

    assert reasons == {"p1": "orphaned"}


# --- failovers ---------------------------------------------------------------------------------


def test_failovers_group_the_moves_off_each_dead_node_with_those_left_pending() -> None:
    moves = [
        Move("p1", "x", "a", MoveReason.ORPHANED),
        Move("p2", "x", None, MoveReason.ORPHANED),
        Move("p3", "y", "a", MoveReason.ORPHANED),
        Move("p4", "z", "a", MoveReason.DRAINING),
        Move("p5", None, "b", MoveReason.NEW),
    ]

    assert failovers(moves) == {"x": moves[:2], "y": [moves[2]]}


def test_a_dead_node_none_of_whose_portfolios_found_room_is_no_failover() -> None:
    assert failovers([Move("p1", "x", None, MoveReason.ORPHANED)]) == {}


# --- migration target -------------------------------------------------------------------------


def test_target_is_the_least_loaded_other_node_with_room() -> None:
    nodes = [Node("a"), Node("b"), Node("c")]
    plan = {"a": frozenset({"p1", "p2"}), "b": frozenset({"p3"}), "c": frozenset()}

    assert migration_target(nodes, plan, CONFIG, exclude="a") == "c"


def test_target_load_is_relative_to_capacity() -> None:
    nodes = [Node("a"), Node("b", capacity=10), Node("c", capacity=2)]
    plan = {"a": frozenset({"p1"}), "b": frozenset({"p2", "p3"}), "c": frozenset({"p4"})}

    # b holds 2/10, c 1/2.
    assert migration_target(nodes, plan, CONFIG, exclude="a") == "b"


def test_target_skips_full_dead_draining_and_disabled_nodes() -> None:
    nodes = [
        Node("a"),
        Node("full"),
        Node("dead", alive=False),
        Node("drain", status=NodeStatus.DRAINING),
        Node("off", status=NodeStatus.DISABLED),
    ]
    plan = {"a": frozenset({"p1"}), "full": frozenset({"p2", "p3"})}

    assert migration_target(nodes, plan, CONFIG, exclude="a") is None


def test_equal_loads_go_to_the_smallest_node_id() -> None:
    nodes = [Node("c"), Node("b"), Node("a")]

    assert migration_target(nodes, {"a": frozenset({"p1"})}, CONFIG, exclude="a") == "b"


def test_room_needs_an_eligible_node_below_capacity() -> None:
    assert node_has_room(Node("a"), {"a": frozenset({"p1"})}, CONFIG)
    assert not node_has_room(Node("a"), {"a": frozenset({"p1", "p2"})}, CONFIG)
    assert not node_has_room(Node("a", alive=False), {}, CONFIG)
    assert not node_has_room(Node("a", capacity=0), {}, CONFIG)


# --- notice gate ------------------------------------------------------------------------------


def test_a_notice_is_due_for_the_first_pending_portfolios() -> None:
    assert notice_due(None, ["p1"])


def test_nothing_pending_needs_no_notice() -> None:
    assert not notice_due(None, [])
    assert not notice_due("p1", [])


def test_the_same_or_fewer_pending_portfolios_wait_for_the_quiet_period() -> None:
    assert not notice_due("p1,p2", ["p1", "p2"])
    assert not notice_due("p1,p2", ["p2"])


def test_a_newly_pending_portfolio_is_announced_at_once() -> None:
    assert notice_due("p1", ["p1", "p2"])
