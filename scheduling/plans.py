"""Upstream: monitoring.collectors, scheduling.services.assignments, scheduling.services.migration, scheduling.services.publishing, scheduling.services.schedule
Downstream: scheduling.placement
Role: pure plan arithmetic around placement: merging what Redis told the nodes with the DB record, what changed, move reasons, failovers, a migration target, when to repeat a notice.

A plan maps node id -> the portfolio ids that node should run.
"""

from collections.abc import Collection, Iterable, Mapping, Set
from fractions import Fraction

from scheduling.placement import Move, MoveReason, Node, PendingPortfolio, PlacementConfig

Plan = Mapping[str, frozenset[str]]


def plan_merge(
    told: Mapping[str, Set[str]], recorded: Mapping[str, str]
) -> dict[str, frozenset[str]]:
    """What the nodes were told (Redis), completed from the record (portfolio -> node).

    A portfolio in no Redis set but with a current assignment was lost by Redis (a restart, a
    flush): the record puts it back where it was, so it is not placed a second time elsewhere.
    Where both know a portfolio, Redis wins: it is what the nodes act on.
    """
    merged = {node_id: set(pids) for node_id, pids in told.items()}
    placed = {pid for pids in told.values() for pid in pids}
    for pid, node_id in recorded.items():
        if pid not in placed:
            merged.setdefault(node_id, set()).add(pid)
    return {node_id: frozenset(pids) for node_id, pids in merged.items()}


def plan_changes(new: Plan, told: Mapping[str, Set[str]] | None) -> dict[str, frozenset[str]]:
    """The nodes whose set must be written (and announced), with their new set.

    ``told`` None means Redis could not be read: every node of ``new`` is rewritten.
    """
    if told is None:
        return dict(new)
    nodes = new.keys() | told.keys()
    return {
        node_id: new.get(node_id, frozenset())
        for node_id in sorted(nodes)
        if new.get(node_id, frozenset()) != frozenset(told.get(node_id, ()))
    }


def plan_locations(plan: Plan) -> dict[str, str]:
    """Portfolio id -> the node that holds it."""
    return {pid: node_id for node_id, pids in plan.items() for pid in pids}


def move_reasons(moves: Iterable[Move], pending: Iterable[PendingPortfolio]) -> dict[str, str]:
    """Portfolio id -> why it changed node; a move to a node outranks a dropped copy."""
    ordered = sorted(moves, key=lambda move: move.to_node is not None)
    reasons = {move.portfolio_id: move.reason.value for move in ordered}
    reasons.update({p.portfolio_id: p.reason.value for p in pending})
    return reasons


def failovers(moves: Iterable[Move]) -> dict[str, list[Move]]:
    """Node id -> the moves of its portfolios, for each node that died or vanished (reason
    ``orphaned``) and had at least one of them placed elsewhere; a move to None is a
    portfolio of that node left pending."""
    orphaned: dict[str, list[Move]] = {}
    for move in moves:
        if move.reason is MoveReason.ORPHANED and move.from_node is not None:
            orphaned.setdefault(move.from_node, []).append(move)
    return {
        node_id: node_moves
        for node_id, node_moves in sorted(orphaned.items())
        if any(move.to_node is not None for move in node_moves)
    }


def node_has_room(node: Node, plan: Plan, config: PlacementConfig) -> bool:
    """Whether ``node`` may take one more portfolio: eligible and below its capacity."""
    held = len(plan.get(node.node_id, ()))
    return node.eligible and held < config.capacity_of(node)


def migration_target(
    nodes: Iterable[Node], plan: Plan, config: PlacementConfig, *, exclude: str
) -> str | None:
    """The least-loaded eligible node with room other than ``exclude`` (ties: smallest id)."""
    candidates = [n for n in nodes if n.node_id != exclude and node_has_room(n, plan, config)]
    best = min(
        candidates,
        key=lambda n: (Fraction(len(plan.get(n.node_id, ())), config.capacity_of(n)), n.node_id),
        default=None,
    )
    return best.node_id if best is not None else None


def notice_due(previous: str | None, pending: Collection[str]) -> bool:
    """Whether pending portfolios deserve a notice now.

    ``previous`` is the comma-joined ids of the last notice still within its quiet period
    (None when there is none): a notice is due when something is pending that it did not name.
    """
    if not pending:
        return False
    if previous is None:
        return True
    return not set(pending) <= set(previous.split(","))
