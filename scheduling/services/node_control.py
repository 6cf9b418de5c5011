"""Upstream: scheduling.apis, scheduling.admin
Downstream: scheduling.models, scheduling.placement, scheduling.services.schedule, trading.services.audit
Role: an operator's changes to a node (enable, disable, drain, capacity), each audited and followed by a schedule run."""

from dataclasses import dataclass
from typing import Any

from scheduling.models import ExecutionNode, RunTrigger, SchedulingRun
from scheduling.placement import NodeStatus
from scheduling.services.schedule import LOCK_WAIT_SECONDS, schedule_run
from trading.services.audit import Actor, audited

# What an operator may set; ``dead`` and ``left`` are the heartbeat check's to say.
SETTABLE_STATUSES = (NodeStatus.ACTIVE, NodeStatus.DISABLED, NodeStatus.DRAINING)


@dataclass(frozen=True)
class NodeChange:
    """The node after the change, and the schedule run it triggered."""

    node: ExecutionNode
    run: SchedulingRun


def node_status_set(
    *, actor: Actor, node_id: str, status: NodeStatus, trigger: RunTrigger = RunTrigger.API
) -> NodeChange:
    """Enable (``active``), disable or drain a node, then run the schedule: a disabled or
    draining node is emptied and takes nothing new. Enabling a dead node makes it active;
    it is dead again at the next check unless its heartbeat is back."""
    if status not in SETTABLE_STATUSES:
        raise ValueError(f"a node cannot be set {status}")
    return _change(actor, node_id, trigger, status=status.value)


def node_capacity_set(
    *, actor: Actor, node_id: str, capacity: int | None, trigger: RunTrigger = RunTrigger.API
) -> NodeChange:
    """Limit how many portfolios a node may host, over what it declares (None: back to its
    declared capacity, else GINKGO_NODE_CAPACITY), then run the schedule, which places
    pending portfolios on new room or moves the excess off."""
    if capacity is not None and capacity < 0:
        raise ValueError(f"capacity must be >= 0, got {capacity}")
    return _change(actor, node_id, trigger, capacity=capacity)


def _change(actor: Actor, node_id: str, trigger: RunTrigger, **fields: Any) -> NodeChange:
    action = "node.status" if "status" in fields else "node.capacity"
    with audited(
        actor=actor, action=action, target_type="node", target_id=node_id, parameters=fields
    ):
        node = ExecutionNode.objects.select_for_update().filter(pk=node_id).first()
        if node is None:
            raise ExecutionNode.DoesNotExist(f"no node {node_id}")
        for name, value in fields.items():
            setattr(node, name, value)
        node.save(update_fields=list(fields))
    run = schedule_run(trigger=trigger, wait=LOCK_WAIT_SECONDS)
    node.refresh_from_db()
    return NodeChange(node, run)
