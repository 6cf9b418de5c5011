"""Upstream: (entry point: pytest)
Downstream: trading.node.plan
Role: plan reconciliation: planned but not running starts, running but not planned stops."""

from trading.node.plan import reconcile


def test_planned_but_not_running_start_and_running_but_not_planned_stop() -> None:
    to_start, to_stop = reconcile({"P1", "P2", "P3"}, {"P3", "P4", "P5"})

    assert (to_start, to_stop) == (["P1", "P2"], ["P4", "P5"])


def test_a_plan_that_matches_what_runs_changes_nothing() -> None:
    assert reconcile({"P1", "P2"}, {"P2", "P1"}) == ([], [])


def test_an_empty_plan_stops_everything() -> None:
    assert reconcile(set(), {"P1", "P2"}) == ([], ["P1", "P2"])
