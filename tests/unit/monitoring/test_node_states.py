"""Upstream: (entry point: pytest)
Downstream: monitoring.notifications.kinds, monitoring.notifications.rules
Role: the node rules' pure part: a node's state from its heartbeat, and which state changes raise which notice."""

import pytest

from monitoring.notifications import kinds
from monitoring.notifications.rules import NodeState, node_state, transition_notice

OK, LATE, DEAD, LEFT = NodeState.OK, NodeState.LATE, NodeState.DEAD, NodeState.LEFT


@pytest.mark.parametrize(
    ("age", "offline", "state"),
    [
        (1.0, False, OK),
        (20.0, False, OK),
        (20.5, False, LATE),
        (None, False, DEAD),
        (None, True, LEFT),
    ],
)
def test_a_nodes_state_follows_its_heartbeat_age_and_clean_stop(age, offline, state):
    assert node_state(heartbeat_age=age, offline=offline, lost_after=20.0) is state


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
