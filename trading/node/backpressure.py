"""Upstream: trading.management.commands.run_node, trading.node.buffer, trading.node.config, trading.node.inbox, trading.node.output, trading.node.router, trading.node_worker
Downstream: (none)
Role: backpressure vocabulary: the drop and conflate policies, queue usage levels (70% / 90%), and the rate limit of pressure notices."""

from enum import IntEnum, StrEnum

WARNING_RATIO = 0.7
CRITICAL_RATIO = 0.9
NOTICE_INTERVAL_SECONDS = 30.0


class Policy(StrEnum):
    """What a portfolio queue does with new market data once it is under pressure.

    ``drop``: at or above 90% the newest update is dropped (counted). ``conflate``: at or
    above 70% a new update replaces the one of its symbol still queued (only the newest
    price per symbol survives); an update of a symbol not queued yet is still appended, and
    dropped only when the queue is full.
    """

    DROP = "drop"
    CONFLATE = "conflate"


class Level(IntEnum):
    """How full a queue is: below 70%, from 70%, from 90% of its capacity."""

    NORMAL = 0
    WARNING = 1
    CRITICAL = 2


def thresholds(maxsize: int) -> tuple[int, int]:
    """Queue lengths at which WARNING and CRITICAL start (at least 1 and 2 items)."""
    if maxsize < 2:
        raise ValueError(f"a portfolio queue holds at least 2 updates, got {maxsize}")
    warning = max(1, int(maxsize * WARNING_RATIO))
    return warning, max(warning + 1, int(maxsize * CRITICAL_RATIO))
