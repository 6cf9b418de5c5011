"""Upstream: (entry point: pytest)
Downstream: scheduling.placement
Role: placement rules by example, and its invariants (capacity, stability, determinism) by property."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.placement import (
    Move,
    MoveReason,
    Node,
    NodeStatus,
    PendingPortfolio,
    PlacementConfig,
    PlacementResult,
    place,
)

NO_REBALANCE = PlacementConfig(rebalance=False)


def active(node_id: str, capacity: int | None = None) -> Node:
    return Node(node_id, capacity=capacity)


def holding(result: PlacementResult) -> dict[str, set[str]]:
    """The plan without its empty nodes, as plain sets, for short assertions."""
    return {n: set(pids) for n, pids in result.plan.items() if pids}


# --- new portfolios ---------------------------------------------------------------------------


def test_a_new_portfolio_goes_to_the_least_loaded_node() -> None:
    nodes = [active("a"), active("b")]
    plan = {"a": {"p1", "p2"}, "b": {"p3"}}

    result = place(nodes, ["p1", "p2", "p3", "p4"], plan, NO_REBALANCE)

    assert holding(result) == {"a": {"p1", "p2"}, "b": {"p3", "p4"}}
    assert result.moves == (Move("p4", None, "b", MoveReason.NEW),)
    assert result.pending == ()


def test_load_is_assigned_count_over_capacity() -> None:
    # a: 2/10 = 0.2 is less loaded than b: 1/2 = 0.5, although it holds more portfolios.
    nodes = [active("a", capacity=10), active("b", capacity=2)]
    plan = {"a": {"p1", "p2"}, "b": {"p3"}}

    result = place(nodes, ["p1", "p2", "p3", "p4"], plan, NO_REBALANCE)

    assert result.moves == (Move("p4", None, "a", MoveReason.NEW),)


def test_equally_loaded_nodes_are_chosen_by_smallest_node_id() -> None:
    nodes = [active("b"), active("a")]

    result = place(nodes, ["p1"], {})

    assert holding(result) == {"a": {"p1"}}


def test_new_portfolios_spread_evenly_over_empty_nodes() -> None:
    nodes = [active("a"), active("b"), active("c")]

    result = place(nodes, ["p1", "p2", "p3", "p4"], {})

    assert holding(result) == {"a": {"p1", "p4"}, "b": {"p2"}, "c": {"p3"}}
    assert {m.reason for m in result.moves} == {MoveReason.NEW}


def test_a_node_without_its_own_capacity_uses_the_default() -> None:
    nodes = [active("a")]
    config = PlacementConfig(default_capacity=2)

    result = place(nodes, ["p1", "p2", "p3"], {}, config)

    assert holding(result) == {"a": {"p1", "p2"}}
    assert result.pending == (PendingPortfolio("p3", MoveReason.NEW),)


# --- stability and removal ------------------------------------------------------------------


def test_healthy_assignments_stay_when_an_empty_node_joins_within_threshold() -> None:
    # a at 1/5 and b at 0/5: an imbalance of 0.2 is within the default 0.25.
    nodes = [active("a"), active("b")]
    plan = {"a": {"p1"}}

    result = place(nodes, ["p1"], plan)

    assert holding(result) == {"a": {"p1"}}
    assert result.moves == ()


def test_an_unwanted_portfolio_is_removed_from_the_plan() -> None:
    nodes = [active("a")]
    plan = {"a": {"p1", "p2"}}

    result = place(nodes, ["p1"], plan)

    assert holding(result) == {"a": {"p1"}}
    assert result.moves == (Move("p2", "a", None, MoveReason.REMOVED),)


def test_an_unwanted_portfolio_on_an_unknown_node_is_removed_too() -> None:
    result = place([active("a")], [], {"gone": {"p1"}})

    assert result.moves == (Move("p1", "gone", None, MoveReason.REMOVED),)
    assert result.changed_nodes == ("gone",)


def test_a_portfolio_on_two_nodes_keeps_the_copy_on_the_eligible_node() -> None:
    nodes = [Node("a", status=NodeStatus.DRAINING), active("b")]
    plan = {"a": {"p1"}, "b": {"p1"}}

    result = place(nodes, ["p1"], plan)

    assert holding(result) == {"b": {"p1"}}
    assert result.moves == (Move("p1", "a", None, MoveReason.DUPLICATE),)


def test_a_portfolio_on_two_healthy_nodes_keeps_the_smallest_node_id() -> None:
    nodes = [active("b"), active("a")]
    plan = {"b": {"p1"}, "a": {"p1"}}

    result = place(nodes, ["p1"], plan)

    assert holding(result) == {"a": {"p1"}}
    assert result.moves == (Move("p1", "b", None, MoveReason.DUPLICATE),)


def test_a_copy_kept_where_the_portfolio_lands_is_not_also_dropped() -> None:
    # p1 on a and b; a keeps p0 (full), so p1 moves to b, where its copy already runs: one
    # move a -> b, not that plus dropping b's copy (which, applied, would leave it nowhere).
    nodes = [active("a", capacity=1), active("b", capacity=1)]
    plan = {"a": {"p0", "p1"}, "b": {"p1"}}

    result = place(nodes, ["p0", "p1"], plan)

    assert holding(result) == {"a": {"p0"}, "b": {"p1"}}
    assert result.moves == (Move("p1", "a", "b", MoveReason.CAPACITY),)


# --- unhealthy nodes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failed",
    [
        Node("x", status=NodeStatus.DEAD),
        Node("x", alive=False),
        Node("x", status=NodeStatus.DRAINING, alive=False),
        None,  # the node vanished: it is in the plan but not among the nodes
    ],
    ids=["status-dead", "heartbeat-expired", "draining-and-expired", "vanished"],
)
def test_portfolios_of_a_failed_node_are_orphaned_to_healthy_nodes(failed: Node | None) -> None:
    nodes = [active("a"), active("b"), *([failed] if failed else [])]
    plan = {"x": {"p1", "p2"}}

    result = place(nodes, ["p1", "p2"], plan)

    assert holding(result) == {"a": {"p1"}, "b": {"p2"}}
    assert result.moves == (
        Move("p1", "x", "a", MoveReason.ORPHANED),
        Move("p2", "x", "b", MoveReason.ORPHANED),
    )


def test_a_draining_node_is_emptied_and_its_plan_cleared() -> None:
    nodes = [Node("a", status=NodeStatus.DRAINING), active("b")]
    plan = {"a": {"p1", "p2"}, "b": {"p3"}}

    result = place(nodes, ["p1", "p2", "p3"], plan)

    assert result.plan["a"] == frozenset()
    assert holding(result) == {"b": {"p1", "p2", "p3"}}
    assert {(m.portfolio_id, m.reason) for m in result.moves} == {
        ("p1", MoveReason.DRAINING),
        ("p2", MoveReason.DRAINING),
    }


def test_a_disabled_node_releases_its_portfolios() -> None:
    nodes = [Node("a", status="disabled"), active("b")]
    plan = {"a": {"p1"}}

    result = place(nodes, ["p1"], plan)

    assert result.moves == (Move("p1", "a", "b", MoveReason.DISABLED),)


def test_nothing_is_placed_on_ineligible_nodes() -> None:
    nodes = [
        Node("a", status=NodeStatus.DISABLED),
        Node("b", status=NodeStatus.DRAINING),
        Node("c", status=NodeStatus.DEAD),
        Node("d", alive=False),
    ]

    result = place(nodes, ["p1"], {})

    assert holding(result) == {}
    assert result.pending == (PendingPortfolio("p1", MoveReason.NEW),)


def test_portfolios_of_a_draining_node_become_pending_when_no_node_has_room() -> None:
    nodes = [Node("a", status=NodeStatus.DRAINING), active("b", capacity=1)]
    plan = {"a": {"p1"}, "b": {"p2"}}

    result = place(nodes, ["p1", "p2"], plan)

    assert holding(result) == {"b": {"p2"}}
    assert result.moves == (Move("p1", "a", None, MoveReason.DRAINING),)
    assert result.pending == (PendingPortfolio("p1", MoveReason.DRAINING),)


# --- capacity ---------------------------------------------------------------------------------


def test_lowering_capacity_moves_the_excess_elsewhere() -> None:
    nodes = [active("a", capacity=2), active("b")]
    plan = {"a": {"p1", "p2", "p3"}}

    result = place(nodes, ["p1", "p2", "p3"], plan, NO_REBALANCE)

    assert holding(result) == {"a": {"p1", "p2"}, "b": {"p3"}}
    assert result.moves == (Move("p3", "a", "b", MoveReason.CAPACITY),)


def test_excess_over_capacity_becomes_pending_when_no_node_has_room() -> None:
    nodes = [active("a", capacity=1)]
    plan = {"a": {"p1", "p2"}}

    result = place(nodes, ["p1", "p2"], plan)

    assert holding(result) == {"a": {"p1"}}
    assert result.moves == (Move("p2", "a", None, MoveReason.CAPACITY),)
    assert result.pending == (PendingPortfolio("p2", MoveReason.CAPACITY),)


def test_displaced_portfolios_get_scarce_room_before_new_ones() -> None:
    nodes = [Node("dead", alive=False), active("b", capacity=1)]
    plan = {"dead": {"p9"}}

    result = place(nodes, ["p0", "p9"], plan)

    assert holding(result) == {"b": {"p9"}}
    assert result.pending == (PendingPortfolio("p0", MoveReason.NEW),)


# --- rebalancing ------------------------------------------------------------------------------


def test_rebalance_moves_the_fewest_portfolios_from_most_to_least_loaded() -> None:
    # 4/5 against 0/5: two moves reach 2/5 against 2/5.
    nodes = [active("a"), active("b")]
    plan = {"a": {"p1", "p2", "p3", "p4"}}

    result = place(nodes, ["p1", "p2", "p3", "p4"], plan)

    assert result.moves == (
        Move("p1", "a", "b", MoveReason.REBALANCE),
        Move("p2", "a", "b", MoveReason.REBALANCE),
    )
    assert result.imbalance == 0


def test_no_rebalance_when_the_imbalance_equals_the_threshold() -> None:
    # 3/5 - 1/5 is exactly 0.4: loads are exact fractions, so no float rounding tips it over.
    nodes = [active("a"), active("b")]
    plan = {"a": {"p1", "p2", "p3"}, "b": {"p4"}}
    config = PlacementConfig(imbalance_threshold=0.4)

    result = place(nodes, ["p1", "p2", "p3", "p4"], plan, config)

    assert result.moves == ()
    assert result.imbalance == Fraction(2, 5)


def test_no_rebalance_when_the_config_turns_it_off() -> None:
    nodes = [active("a"), active("b")]
    plan = {"a": {"p1", "p2", "p3", "p4"}}

    result = place(nodes, ["p1", "p2", "p3", "p4"], plan, NO_REBALANCE)

    assert result.moves == ()


def test_rebalance_stops_when_no_move_would_lower_the_imbalance() -> None:
    # 2/3 against 1/3 passes a zero threshold, but a move would only swap the two loads.
    nodes = [active("a", capacity=3), active("b", capacity=3)]
    plan = {"a": {"p1", "p2"}, "b": {"p3"}}
    config = PlacementConfig(imbalance_threshold=0)

    result = place(nodes, ["p1", "p2", "p3"], plan, config)

    assert result.moves == ()


def test_rebalance_prefers_moving_a_portfolio_that_is_already_moving() -> None:
    # Both at 1/2; the new p9 lands on a (id tie-break), making it 2/2. Rebalancing then moves
    # p9 rather than the running p1, so the only change is a single "new" placement on b.
    nodes = [active("a", capacity=2), active("b", capacity=10)]
    plan = {"a": {"p1"}, "b": {"p2", "p3", "p4", "p5", "p6"}}

    result = place(nodes, ["p1", "p2", "p3", "p4", "p5", "p6", "p9"], plan)

    assert result.moves == (Move("p9", None, "b", MoveReason.NEW),)
    assert result.plan["a"] == {"p1"}


# --- result shape and validation --------------------------------------------------------------


def test_placing_the_output_plan_again_changes_nothing() -> None:
    nodes = [active("a", capacity=2), Node("b", status=NodeStatus.DRAINING), active("c")]
    portfolios = ["p1", "p2", "p3", "p4", "p5"]
    first = place(nodes, portfolios, {"a": {"p1", "p2", "p3"}, "b": {"p4"}})

    second = place(nodes, portfolios, first.plan)

    assert second.moves == ()
    assert second.plan == first.plan


def test_changed_nodes_names_each_node_whose_plan_changed() -> None:
    nodes = [active("a"), active("b"), active("c")]
    plan = {"a": {"p1"}, "c": {"p2"}, "gone": {"p3"}}

    result = place(nodes, ["p1", "p3"], plan)

    assert result.changed_nodes == ("b", "c", "gone")


def test_the_plan_lists_every_known_node_and_is_read_only() -> None:
    nodes = [active("b"), Node("a", status=NodeStatus.DEAD)]

    result = place(nodes, [], {})

    assert list(result.plan) == ["a", "b"]
    with pytest.raises(TypeError):
        result.plan["a"] = frozenset({"p1"})  # type: ignore[index]


def test_a_node_given_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="given twice"):
        place([active("a"), active("a")], [], {})


@pytest.mark.parametrize(
    "build",
    [
        lambda: Node("a", capacity=-1),
        lambda: PlacementConfig(default_capacity=-1),
        lambda: PlacementConfig(imbalance_threshold=-0.1),
        lambda: Node("a", status="sleeping"),
    ],
    ids=["node-capacity", "default-capacity", "threshold", "status"],
)
def test_invalid_settings_are_refused(build: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        build()


# --- properties -------------------------------------------------------------------------------

NODE_IDS = ["n0", "n1", "n2", "n3", "n4"]
PORTFOLIO_IDS = [f"p{i:02d}" for i in range(14)]
# Active nodes are the common case; the others still show up often enough.
STATUSES = [NodeStatus.ACTIVE] * 3 + [NodeStatus.DISABLED, NodeStatus.DRAINING, NodeStatus.DEAD]


@dataclass(frozen=True)
class Scenario:
    nodes: tuple[Node, ...]
    portfolios: frozenset[str]
    plan: Mapping[str, frozenset[str]]
    config: PlacementConfig

    def run(self, **overrides: object) -> PlacementResult:
        return place(self.nodes, self.portfolios, self.plan, replace(self.config, **overrides))

    def capacity(self, node: Node) -> int:
        return self.config.capacity_of(node)


# Each draw is kept coarse (tuples, sampled values): it keeps the generation, not the code under
# test, from dominating the run time.
NODE_SPECS = st.tuples(
    st.sampled_from(STATUSES),
    st.sampled_from([True, True, True, False]),  # alive
    st.sampled_from([None, None, 0, 1, 2, 3, 4]),  # capacity; None falls back to the default
)
# The plan may name vanished nodes ("gone") and unwanted portfolios, and hold one twice.
PLAN_ENTRIES = st.lists(
    st.tuples(st.sampled_from([*NODE_IDS, "gone"]), st.sampled_from(PORTFOLIO_IDS)), max_size=20
)
CONFIGS = st.builds(
    PlacementConfig,
    default_capacity=st.integers(0, 4),
    imbalance_threshold=st.sampled_from([0, 0.2, 0.25, 0.5, 1]),
    rebalance=st.booleans(),
)


@st.composite
def scenarios(draw: st.DrawFn, duplicates: bool = True) -> Scenario:
    specs = draw(st.lists(NODE_SPECS, max_size=len(NODE_IDS)))
    nodes = tuple(
        Node(node_id, status=status, alive=alive, capacity=capacity)
        for node_id, (status, alive, capacity) in zip(NODE_IDS, specs, strict=False)
    )
    plan: dict[str, set[str]] = {}
    seen: set[str] = set()
    for node_id, pid in draw(PLAN_ENTRIES):
        if duplicates or pid not in seen:
            plan.setdefault(node_id, set()).add(pid)
            seen.add(pid)
    portfolios = draw(st.frozensets(st.sampled_from(PORTFOLIO_IDS)))
    frozen_plan = {node_id: frozenset(pids) for node_id, pids in plan.items()}
    return Scenario(nodes, portfolios, frozen_plan, draw(CONFIGS))


def node_of(result: PlacementResult) -> dict[str, str]:
    return {pid: n for n, pids in result.plan.items() for pid in pids}


def loads(scenario: Scenario, plan: Mapping[str, Iterable[str]]) -> dict[str, Fraction]:
    return {
        node.node_id: Fraction(len(set(plan[node.node_id])), scenario.capacity(node))
        for node in scenario.nodes
        if node.eligible and scenario.capacity(node) > 0
    }


PROPERTY = settings(max_examples=120, deadline=None)


@PROPERTY
@given(scenarios())
def test_property_capacity_is_never_exceeded(scenario: Scenario) -> None:
    result = scenario.run()

    for node in scenario.nodes:
        assert len(result.plan[node.node_id]) <= scenario.capacity(node)


@PROPERTY
@given(scenarios())
def test_property_each_portfolio_is_on_one_node_and_only_eligible_ones(
    scenario: Scenario,
) -> None:
    result = scenario.run()

    placed = [pid for pids in result.plan.values() for pid in pids]
    assert len(placed) == len(set(placed))
    assert set(result.plan) == {node.node_id for node in scenario.nodes}
    for node in scenario.nodes:
        if not node.eligible:
            assert result.plan[node.node_id] == frozenset()


@PROPERTY
@given(scenarios())
def test_property_every_wanted_portfolio_is_placed_unless_all_room_is_taken(
    scenario: Scenario,
) -> None:
    result = scenario.run()

    placed = set(node_of(result))
    pending = {p.portfolio_id for p in result.pending}
    assert placed | pending == scenario.portfolios
    assert not placed & pending
    if pending:
        for node in scenario.nodes:
            if node.eligible:
                assert len(result.plan[node.node_id]) == scenario.capacity(node)


@PROPERTY
@given(scenarios())
def test_property_moves_turn_the_current_plan_into_the_new_one(scenario: Scenario) -> None:
    result = scenario.run()

    where: dict[str, set[str]] = {}
    for node_id, pids in scenario.plan.items():
        for pid in pids:
            where.setdefault(pid, set()).add(node_id)
    for move in result.moves:
        if move.from_node is not None:
            where[move.portfolio_id].remove(move.from_node)
        if move.to_node is not None:
            where.setdefault(move.portfolio_id, set()).add(move.to_node)

    assert {pid: nodes for pid, nodes in where.items() if nodes} == {
        pid: {n} for pid, n in node_of(result).items()
    }


@PROPERTY
@given(scenarios())
def test_property_placing_the_output_again_makes_no_moves(scenario: Scenario) -> None:
    first = scenario.run()

    second = place(scenario.nodes, scenario.portfolios, first.plan, scenario.config)

    assert second.moves == ()
    assert second.plan == first.plan
    assert {p.portfolio_id for p in second.pending} == {p.portfolio_id for p in first.pending}


@PROPERTY
@given(scenarios(), st.randoms(use_true_random=False))
def test_property_shuffled_input_order_gives_the_same_result(
    scenario: Scenario, rnd: random.Random
) -> None:
    def shuffled(items: Iterable[str]) -> list[str]:
        out = sorted(items)
        rnd.shuffle(out)
        return out

    nodes = list(scenario.nodes)
    rnd.shuffle(nodes)
    plan = {n: shuffled(scenario.plan[n]) for n in shuffled(scenario.plan)}

    result = place(nodes, shuffled(scenario.portfolios), plan, scenario.config)

    assert result == scenario.run()


@PROPERTY
@given(
    scenarios(duplicates=False), st.sampled_from([{"rebalance": False}, {"imbalance_threshold": 1}])
)
def test_property_healthy_assignments_are_kept_when_no_rebalance_is_needed(
    scenario: Scenario, no_rebalance: dict[str, object]
) -> None:
    result = scenario.run(**no_rebalance)

    for node in scenario.nodes:
        if not node.eligible:
            continue
        healthy = scenario.plan.get(node.node_id, frozenset()) & scenario.portfolios
        kept = result.plan[node.node_id] & healthy
        assert len(kept) == min(len(healthy), scenario.capacity(node))
    assert MoveReason.REBALANCE not in {m.reason for m in result.moves}


@PROPERTY
@given(scenarios())
def test_property_rebalance_acts_only_past_the_threshold_and_ends_within_it(
    scenario: Scenario,
) -> None:
    unbalanced = scenario.run(rebalance=False)

    result = scenario.run(rebalance=True)

    if unbalanced.imbalance <= scenario.config.threshold:
        assert result == unbalanced
        return
    if result.imbalance > scenario.config.threshold:
        # Stopped early: no move from the busiest node could have lowered its load.
        current = loads(scenario, result.plan)
        busiest = max(current.values())
        for node in scenario.nodes:
            if node.node_id in current and current[node.node_id] < busiest:
                after = Fraction(len(result.plan[node.node_id]) + 1, scenario.capacity(node))
                assert after >= busiest
