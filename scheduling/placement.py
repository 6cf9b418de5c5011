"""Upstream: monitoring.collectors, monitoring.notifications.rules, monitoring.selectors, scheduling.admin, scheduling.apis, scheduling.models, scheduling.plans, scheduling.selectors, scheduling.services.migration, scheduling.services.node_control, scheduling.services.nodes, scheduling.services.publishing, scheduling.services.runs, scheduling.services.schedule
Downstream: (none)
Role: pure, deterministic placement of portfolios on execution nodes (the scheduler's decision).

``place`` takes a snapshot (nodes, the portfolios that should run, the current plan, a config)
and returns the next plan, the moves that turn the current plan into it, and the portfolios
left pending. It reads no clock, does no I/O and imports nothing but the standard library, so
the scheduler task can hold the lock, read Redis/the DB, call ``place`` and write the result.

Rules, in the order they are applied:

1. **Settle the current plan.** Portfolios that should no longer run are dropped (``removed``).
   A portfolio listed on several nodes keeps exactly one copy: the one on an eligible node if
   any, then the smallest node id; the other copies are dropped (``duplicate``).
2. **Keep healthy assignments.** A node is *eligible* when its heartbeat is alive and its status
   is ``active``. Everything on an eligible node stays, up to the node's capacity; the excess
   (the largest portfolio ids, so the choice is stable) moves (``capacity``). Portfolios on a
   dead, left, not-alive or unknown node move (``orphaned``), as do those on ``draining`` and
   ``disabled`` nodes (reasons ``draining`` / ``disabled``).
   *Disabled* is treated like draining — take nothing new **and** release what it has — because
   an operator disables a node to get work off it; only the reason recorded differs. Nothing is
   ever left on an ineligible node, even when no other node has room (it is pending instead).
3. **Place the rest.** Displaced portfolios (they were running: failover first) and then new
   ones, each in portfolio-id order, go to the least-loaded eligible node with room; load is
   ``assigned / capacity`` and ties go to the smallest node id. With no room anywhere the
   portfolio is pending.
4. **Rebalance** (only if the config asks). The *imbalance* is ``max load - min load`` over the
   eligible nodes with a non-zero capacity, as an exact ratio in ``[0, 1]`` (ratios, not counts,
   because capacities differ). Only when it is strictly above the threshold, one portfolio at a
   time moves from the most-loaded node to the node whose load after receiving it is lowest,
   and only while that receiving load stays strictly below the source's load (so every move
   helps and the loop ends). It stops as soon as the imbalance is within the threshold, which
   makes the number of moves minimal for equal capacities (greedy otherwise). A portfolio that
   is already changing node in this run is moved in preference: it costs no extra migration.

The output is deterministic (everything is sorted; loads are ``Fraction`` so there are no
float ties) and idempotent: calling ``place`` again on the returned plan yields no moves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

__all__ = [
    "GONE_STATUSES",
    "Move",
    "MoveReason",
    "Node",
    "NodeStatus",
    "PendingPortfolio",
    "PlacementConfig",
    "PlacementResult",
    "place",
]


class NodeStatus(StrEnum):
    """Administrative status of an execution node (the heartbeat is tracked separately)."""

    ACTIVE = "active"
    DISABLED = "disabled"
    DRAINING = "draining"
    DEAD = "dead"
    LEFT = "left"


# What the heartbeat check declares of a node whose heartbeat is gone (never an operator):
# ``dead`` when it expired, ``left`` when the node deleted it on a clean stop.
GONE_STATUSES = (NodeStatus.DEAD, NodeStatus.LEFT)


class MoveReason(StrEnum):
    """Why a portfolio changes node (or why a pending portfolio needed one)."""

    NEW = "new"
    ORPHANED = "orphaned"
    DRAINING = "draining"
    DISABLED = "disabled"
    CAPACITY = "capacity"
    REBALANCE = "rebalance"
    REMOVED = "removed"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Node:
    """One execution node as the scheduler sees it.

    ``capacity`` ``None`` means the config's default; ``alive`` is whether its heartbeat key
    is present. A status given as a plain string (from Redis or the DB) is converted.
    """

    node_id: str
    status: NodeStatus = NodeStatus.ACTIVE
    alive: bool = True
    capacity: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", NodeStatus(self.status))
        if self.capacity is not None and self.capacity < 0:
            raise ValueError(f"node {self.node_id!r}: capacity must be >= 0, got {self.capacity}")

    @property
    def eligible(self) -> bool:
        """Whether the node may hold portfolios: heartbeat alive and status active."""
        return self.alive and self.status is NodeStatus.ACTIVE


@dataclass(frozen=True)
class PlacementConfig:
    """Tuning of one placement run.

    ``default_capacity`` applies to nodes without their own (``GINKGO_NODE_CAPACITY``).
    ``imbalance_threshold`` is a load ratio in ``[0, 1]``: rebalancing starts only when
    ``max load - min load`` is strictly above it. The default 0.25 tolerates a one-portfolio
    difference between nodes of capacity 4 or more. ``rebalance=False`` skips rebalancing.
    """

    default_capacity: int = 5
    imbalance_threshold: float | Fraction = 0.25
    rebalance: bool = True

    def __post_init__(self) -> None:
        if self.default_capacity < 0:
            raise ValueError(f"default_capacity must be >= 0, got {self.default_capacity}")
        if self.threshold < 0:
            raise ValueError(f"imbalance_threshold must be >= 0, got {self.imbalance_threshold}")

    @property
    def threshold(self) -> Fraction:
        """The threshold as an exact fraction (0.2 is 1/5, not the nearest binary float)."""
        return Fraction(str(self.imbalance_threshold))

    def capacity_of(self, node: Node) -> int:
        """The node's own capacity, or the default when it has none."""
        return self.default_capacity if node.capacity is None else node.capacity


@dataclass(frozen=True)
class Move:
    """One change of the plan: ``to_node`` ``None`` means the portfolio leaves the plan
    (removed, a duplicate copy, or displaced with nowhere to go); ``from_node`` ``None``
    means it was not running anywhere."""

    portfolio_id: str
    from_node: str | None
    to_node: str | None
    reason: MoveReason


@dataclass(frozen=True)
class PendingPortfolio:
    """A portfolio that should run but found no eligible node with room.

    ``reason`` is why it needed a node: ``new``, ``orphaned``, ``draining``, ``disabled`` or
    ``capacity``.
    """

    portfolio_id: str
    reason: MoveReason


@dataclass(frozen=True)
class PlacementResult:
    """Outcome of ``place``.

    ``plan`` has one entry per known node (empty for ineligible ones, so their plan is cleared),
    read-only. ``moves`` and ``pending`` are sorted by portfolio id. ``imbalance`` is the final
    ``max load - min load`` over eligible nodes.
    """

    plan: Mapping[str, frozenset[str]]
    moves: tuple[Move, ...]
    pending: tuple[PendingPortfolio, ...]
    imbalance: Fraction

    @property
    def changed_nodes(self) -> tuple[str, ...]:
        """Nodes whose plan changed (including vanished ones), e.g. to publish one update each."""
        touched = {n for m in self.moves for n in (m.from_node, m.to_node) if n is not None}
        return tuple(sorted(touched))


def place(
    nodes: Iterable[Node],
    portfolios: Iterable[str],
    plan: Mapping[str, Iterable[str]],
    config: PlacementConfig | None = None,
) -> PlacementResult:
    """Compute the next plan from the current one; see the module docstring for the rules.

    ``nodes`` must have unique ids (``ValueError`` otherwise); ``portfolios`` are the ids that
    should run; ``plan`` maps node id to the portfolio ids it currently should run, and may
    name nodes absent from ``nodes`` (they are treated as vanished).
    """
    config = config or PlacementConfig()
    known = _index_nodes(nodes)
    wanted = frozenset(portfolios)

    origin, dropped = _settle_current_plan(plan, wanted, known)
    board = _Board(known, config)
    displaced = _keep_healthy(board, origin, known)
    newcomers = dict.fromkeys(wanted - origin.keys(), MoveReason.NEW)
    pending = _place_all(board, _placement_order(displaced, newcomers))
    reasons = {**displaced, **newcomers}
    if config.rebalance:
        _rebalance(board, config.threshold, reasons, changing=set(reasons))

    # A dropped copy on the node where the portfolio ends up is kept, not dropped: the move
    # there already says where it runs.
    dropped = [move for move in dropped if board.location.get(move.portfolio_id) != move.from_node]
    return PlacementResult(
        plan=MappingProxyType(board.plan()),
        moves=tuple(sorted([*dropped, *_diff(origin, board.location, reasons)], key=_move_key)),
        pending=tuple(PendingPortfolio(pid, reasons[pid]) for pid in sorted(pending)),
        imbalance=board.imbalance(),
    )


class _Board:
    """Working state of a run: what each eligible node holds, and where each portfolio is."""

    def __init__(self, known: Mapping[str, Node], config: PlacementConfig) -> None:
        self._all_nodes = sorted(known)
        self.capacity = {n: config.capacity_of(node) for n, node in known.items() if node.eligible}
        self.members: dict[str, set[str]] = {n: set() for n in self.capacity}
        self.location: dict[str, str] = {}

    def nodes(self) -> list[str]:
        return sorted(self.capacity)

    def load(self, node_id: str) -> Fraction:
        return Fraction(len(self.members[node_id]), self.capacity[node_id])

    def has_room(self, node_id: str) -> bool:
        return len(self.members[node_id]) < self.capacity[node_id]

    def add(self, pid: str, node_id: str) -> None:
        self.members[node_id].add(pid)
        self.location[pid] = node_id

    def move(self, pid: str, node_id: str) -> None:
        self.members[self.location[pid]].discard(pid)
        self.add(pid, node_id)

    def least_loaded_with_room(self) -> str | None:
        candidates = [n for n in self.nodes() if self.has_room(n)]
        return min(candidates, key=lambda n: (self.load(n), n), default=None)

    def balanced_nodes(self) -> list[str]:
        # Capacity-0 nodes hold nothing and have no meaningful load ratio.
        return [n for n in self.nodes() if self.capacity[n] > 0]

    def imbalance(self) -> Fraction:
        loads = [self.load(n) for n in self.balanced_nodes()]
        return max(loads) - min(loads) if loads else Fraction(0)

    def plan(self) -> dict[str, frozenset[str]]:
        return {n: frozenset(self.members.get(n, ())) for n in self._all_nodes}


def _index_nodes(nodes: Iterable[Node]) -> dict[str, Node]:
    known: dict[str, Node] = {}
    for node in nodes:
        if node.node_id in known:
            raise ValueError(f"node {node.node_id!r} given twice")
        known[node.node_id] = node
    return known


def _settle_current_plan(
    plan: Mapping[str, Iterable[str]], wanted: frozenset[str], known: Mapping[str, Node]
) -> tuple[dict[str, str], list[Move]]:
    """One current node per wanted portfolio; moves for unwanted portfolios and extra copies."""
    holders: dict[str, set[str]] = {}
    for node_id, pids in plan.items():
        for pid in pids:
            holders.setdefault(pid, set()).add(node_id)

    def preference(node_id: str) -> tuple[bool, str]:
        node = known.get(node_id)
        return (not (node is not None and node.eligible), node_id)

    origin: dict[str, str] = {}
    dropped: list[Move] = []
    for pid in sorted(holders):
        ordered = sorted(holders[pid], key=preference)
        if pid not in wanted:
            dropped.extend(Move(pid, n, None, MoveReason.REMOVED) for n in ordered)
            continue
        origin[pid] = ordered[0]
        dropped.extend(Move(pid, n, None, MoveReason.DUPLICATE) for n in ordered[1:])
    return origin, dropped


def _departure_reason(node: Node | None) -> MoveReason | None:
    """Why everything on this node must leave, or None when the node is healthy."""
    if node is None or not node.alive or node.status in GONE_STATUSES:
        return MoveReason.ORPHANED
    if node.status is NodeStatus.DRAINING:
        return MoveReason.DRAINING
    if node.status is NodeStatus.DISABLED:
        return MoveReason.DISABLED
    return None


def _keep_healthy(
    board: _Board, origin: Mapping[str, str], known: Mapping[str, Node]
) -> dict[str, MoveReason]:
    """Seat every portfolio that may stay where it is; return the others with their reason."""
    by_node: dict[str, list[str]] = {}
    for pid, node_id in origin.items():
        by_node.setdefault(node_id, []).append(pid)

    displaced: dict[str, MoveReason] = {}
    for node_id in sorted(by_node):
        pids = sorted(by_node[node_id])
        reason = _departure_reason(known.get(node_id))
        if reason is not None:
            displaced.update(dict.fromkeys(pids, reason))
            continue
        room = board.capacity[node_id]
        for pid in pids[:room]:
            board.add(pid, node_id)
        displaced.update(dict.fromkeys(pids[room:], MoveReason.CAPACITY))
    return displaced


def _placement_order(
    displaced: Mapping[str, MoveReason], newcomers: Mapping[str, MoveReason]
) -> list[str]:
    # Displaced portfolios were running: when room is short, failover beats starting new ones.
    return sorted(displaced) + sorted(newcomers)


def _place_all(board: _Board, pids: Iterable[str]) -> list[str]:
    """Put each portfolio on the least-loaded node with room; return those left pending."""
    pending: list[str] = []
    for pid in pids:
        target = board.least_loaded_with_room()
        if target is None:
            pending.append(pid)
        else:
            board.add(pid, target)
    return pending


def _rebalance(
    board: _Board, threshold: Fraction, reasons: dict[str, MoveReason], changing: set[str]
) -> None:
    """Move portfolios one at a time from the most- to the least-loaded node (see module doc)."""
    while board.imbalance() > threshold:
        source = min(board.balanced_nodes(), key=lambda n: (-board.load(n), n))
        target = _best_receiver(board, exclude=source)
        if target is None or _load_after_receiving(board, target) >= board.load(source):
            return  # no move would lower the imbalance: stop rather than shuffle
        # A portfolio already changing node in this run costs no extra migration.
        pid = min(board.members[source], key=lambda p: (p not in changing, p))
        board.move(pid, target)
        reasons.setdefault(pid, MoveReason.REBALANCE)
        changing.add(pid)


def _best_receiver(board: _Board, exclude: str) -> str | None:
    candidates = [n for n in board.nodes() if n != exclude and board.has_room(n)]
    return min(
        candidates,
        key=lambda n: (_load_after_receiving(board, n), board.load(n), n),
        default=None,
    )


def _load_after_receiving(board: _Board, node_id: str) -> Fraction:
    # Judged after the move so a small node cannot be picked just to become the busiest.
    return Fraction(len(board.members[node_id]) + 1, board.capacity[node_id])


def _diff(
    origin: Mapping[str, str], final: Mapping[str, str], reasons: Mapping[str, MoveReason]
) -> list[Move]:
    """One move per portfolio whose node differs between the settled and the final plan."""
    moves = []
    for pid in sorted(origin.keys() | final.keys()):
        before, after = origin.get(pid), final.get(pid)
        if before != after:
            moves.append(Move(pid, before, after, reasons[pid]))
    return moves


def _move_key(move: Move) -> tuple[str, str, str]:
    return (move.portfolio_id, move.from_node or "", move.to_node or "")
