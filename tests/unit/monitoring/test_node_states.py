"""Upstream: (entry point: pytest)
Downstream: monitoring.notifications.kinds, monitoring.notifications.rules
Role: the node rules' pure part: a node's state from the recorded verdict and its heartbeat, and which state changes raise which notice."""

import pytest

from monitoring.notifications import kinds
from monitoring.notifications.rules import NodeState, node_state, transition_notice

OK, LATE, DEAD, LEFT = NodeState.OK, NodeState.LATE, NodeState.DEAD, NodeState.LEFT


@pytest.mark.parametrize(
    ("status", "age", "state"),
    [
        ("active", 1.0, OK),
        ("active", 20.0, OK),
        ("active", 20.5, LATE),
        ("draining", 25.0, LATE),
        ("disabled", 1.0, OK),
        # The key is gone: the heartbeat check's verdict, none until it gave one.
        ("active", None, None),
        ("disabled", None, None),
        ("", None, None),
        ("dead", None, DEAD),
        ("left", None, LEFT),
        # A verdict stands until the check revives the node, heartbeat or not.
        ("dead", 1.0, DEAD),
        ("left", 1.0, LEFT),
    ],
)
def test_dead_and_left_are_read_from_the_record_lateness_from_the_heartbeat(status, age, state):
    assert node_state(status=status, heartbeat_age=age, lost_after=20.0) is state


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        (OK, LATE, kinds.NODE_HEARTBEAT_LOST),
        (None, LATE, kinds.NODE_HEARTBEAT_LOST),
        (OK, DEAD, kinds.NODE_DEAD),
        (LATE, DEAD, kinds.NODE_DEAD),
        (None, DEAD, kinds.NODE_DEAD),
        (LATE, LEFT, kinds.NODE_LEFT),
        (LATE, OK, kinds.NODE_RECOVERED),
        (DEAD, OK, kinds.NODE_RECOVERED),
        (LEFT, OK, kinds.NODE_RECOVERED),
        (None, OK, None),
        (DEAD, LEFT, None),
        (LEFT, DEAD, None),
        (DEAD, DEAD, None),
    ],
)
def test_each_state_change_raises_at_most_one_notice(before, after, kind):
    change = transition_notice("n1", before, after, 25.0)

    assert (change[0] if change else None) == kind
