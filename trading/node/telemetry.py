"""Upstream: trading.node.buffer, trading.node.host, trading.node.inbox, trading.node.processor, trading.node.router
Downstream: monitoring.metrics, trading.node.sequencer
Role: the node's Prometheus series per portfolio: PortfolioSeries (children resolved once for the hot paths), why updates are dropped, what put a portfolio in error."""

from collections.abc import Sized
from enum import StrEnum

from monitoring.metrics import (
    PORTFOLIO_DROPPED,
    PORTFOLIO_ERRORS,
    PORTFOLIO_FILLS,
    PORTFOLIO_ORDERS,
    PORTFOLIO_PROCESSING_SECONDS,
    PORTFOLIO_QUEUE_DEPTH,
    PORTFOLIO_RISK_BLOCKS,
    PORTFOLIO_SIGNALS,
    PORTFOLIO_UPDATES_ROUTED,
    PORTFOLIO_WAITS_EXPIRED,
)
from trading.node.sequencer import Due


class Drop(StrEnum):
    """Why a price update offered to a portfolio was never processed."""

    BACKPRESSURE = "backpressure"  # the queue was (nearly) full: the newest update went
    CONFLATED = "conflated"  # a newer update of its symbol replaced it in the queue
    STALE = "stale"  # older than the stale guard's limit
    RELOAD_BUFFER = "reload_buffer"  # the reload buffer was full
    DRAIN = "drain"  # the portfolio stopped before working it off


class Fault(StrEnum):
    """What put a portfolio in error."""

    STRATEGY = "strategy"  # the strategy raised
    PIPELINE = "pipeline"  # a pipeline call raised
    START = "start"  # it could not be built or started


class PortfolioSeries:
    """One portfolio's series, resolved once: ``.labels()`` takes a lock and hashes the label
    values, the children kept here are only incremented where the events happen. Instances
    for the same id share their children; monitoring.metrics.forget_portfolio removes them."""

    __slots__ = (
        "_dropped",
        "_waits_expired",
        "fills",
        "orders",
        "portfolio_id",
        "processing",
        "routed",
        "signals",
    )

    def __init__(self, portfolio_id: str) -> None:
        self.portfolio_id = portfolio_id
        self.routed = PORTFOLIO_UPDATES_ROUTED.labels(portfolio_id)
        self.processing = PORTFOLIO_PROCESSING_SECONDS.labels(portfolio_id)
        self.signals = PORTFOLIO_SIGNALS.labels(portfolio_id)
        self.orders = PORTFOLIO_ORDERS.labels(portfolio_id)
        self.fills = PORTFOLIO_FILLS.labels(portfolio_id)
        self._dropped = {reason: PORTFOLIO_DROPPED.labels(portfolio_id, reason) for reason in Drop}
        self._waits_expired = {
            due: PORTFOLIO_WAITS_EXPIRED.labels(portfolio_id, due) for due in Due
        }

    def drop(self, reason: Drop, count: int = 1) -> None:
        """``count`` updates were dropped for ``reason``."""
        self._dropped[reason].inc(count)

    def wait_expired(self, due: Due) -> None:
        """An item was handed over when its wait for ``due`` (what was missing) ran out."""
        self._waits_expired[due].inc()

    def watch_queue(self, queue: Sized) -> None:
        """Report ``queue``'s length as the queue depth, read when the metrics are scraped
        (nothing on the hot path)."""
        PORTFOLIO_QUEUE_DEPTH.labels(self.portfolio_id).set_function(lambda: len(queue))


def count_fault(portfolio_id: str, fault: Fault) -> None:
    """``portfolio_id`` went into error for ``fault``."""
    PORTFOLIO_ERRORS.labels(portfolio_id, fault).inc()


def count_risk_block(portfolio_id: str, rule: str) -> None:
    """The risk rule ``rule`` blocked an order of ``portfolio_id``."""
    PORTFOLIO_RISK_BLOCKS.labels(portfolio_id, rule).inc()
