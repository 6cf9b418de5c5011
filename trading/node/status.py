"""Upstream: trading.node.host, trading.node.runtime
Downstream: trading.node.config, trading.node.processor, trading.node.router
Role: what the node reports: the fields of portfolio:{id}:status and execution_node:{id}:info, and a periodic log line of the node's counters."""

import json
import logging
import os
import socket
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal

from trading.node.config import NodeConfig
from trading.node.processor import PortfolioProcessor, Status
from trading.node.router import Router

logger = logging.getLogger(__name__)

Fields = dict[str, str | int | float]
LOG_INTERVAL_SECONDS = 10.0


def now_iso() -> str:
    """The wall clock, as the status hashes carry it."""
    return datetime.now(UTC).isoformat()


def portfolio_fields(
    processor: PortfolioProcessor, node_id: str, status: Status | None = None
) -> Fields:
    """A running (or just stopped) portfolio's status hash; ``status`` overrides its own."""
    inbox = processor.inbox
    sequencer = processor.sequencer
    held = processor.positions
    positions = {p.symbol: _plain(p.quantity) for p in held.positions if p.quantity}
    first, last = processor.first_event_time, processor.last_event_time
    return {
        "status": (status or processor.status).value,
        "node": node_id,
        "version": processor.version,
        "run_epoch": processor.run_epoch,
        "queue_size": len(inbox),
        "dropped": inbox.dropped,
        "conflated": inbox.conflated,
        "pressure_warnings": inbox.warnings,
        "pressure_criticals": inbox.criticals,
        "processed": processor.processed,
        "repeats": processor.repeats,
        "buffer_size": 0 if processor.buffer is None else len(processor.buffer),
        "orders": processor.orders,
        "blocked": processor.blocked,
        "fills": held.fills,
        "cash": _plain(held.cash),
        "positions": json.dumps(positions, sort_keys=True),
        "symbols_seen": ",".join(sorted(processor.symbols_seen)),
        # The current version's live span (where live began under it), and every span.
        "first_event_time": first.isoformat() if first else "",
        "last_event_time": last.isoformat() if last else "",
        "spans": json.dumps([span.to_json() for span in processor.spans]),
        # Updates held for what goes before them; waits that ran out, the last one told.
        "held": len(sequencer),
        "waits_expired": sequencer.expired,
        "last_wait_expired": sequencer.last_expired,
        "error": processor.error,
        "updated_at": now_iso(),
    }


def _plain(value: Decimal) -> str:
    """Fixed-point text without the zeros the database's scale pads with (20.00000000 -> 20)."""
    return f"{value.normalize():f}"


def failed_start_fields(node_id: str, error: str) -> Fields:
    """The status of a portfolio this node could not start."""
    return {"status": Status.ERROR.value, "node": node_id, "error": error, "updated_at": now_iso()}


class NodeMetrics:
    """Builds ``execution_node:{id}:info`` (throughput is measured between two calls) and
    logs the counters every ``LOG_INTERVAL_SECONDS`` when they moved. One caller thread."""

    def __init__(self, config: NodeConfig) -> None:
        self._config = config
        self._started_at = now_iso()
        self._last = (time.monotonic(), 0)
        self._logged_at = 0.0
        self._logged = ""

    def info(
        self,
        state: str,
        processors: Mapping[str, PortfolioProcessor],
        router: Router,
        dead_letters: int,
    ) -> Fields:
        """The node info hash now."""
        now = time.monotonic()
        then, received_then = self._last
        self._last = (now, router.received)
        rate = (router.received - received_then) / (now - then) if now > then else 0.0
        inboxes = [p.inbox for p in processors.values()]
        counters: Fields = {
            "portfolios": len(processors),
            "received": router.received,
            "routed": router.offered,
            "unwanted": router.unwanted,
            "stale": router.stale,
            "dropped": sum(inbox.dropped for inbox in inboxes),
            "conflated": sum(inbox.conflated for inbox in inboxes),
            "orders": sum(p.orders for p in processors.values()),
            "dead_letters": dead_letters,
        }
        self._log(now, counters)
        return {
            "node_id": self._config.node_id,
            "status": state,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_at": self._started_at,
            "updated_at": now_iso(),
            "portfolio_ids": ",".join(sorted(processors)),
            "queue_sizes": json.dumps({pid: len(p.inbox) for pid, p in sorted(processors.items())}),
            "throughput": round(rate, 1),
            "lag_ms": round(router.lag_ns / 1e6, 3),
            "backpressure": self._config.policy.value,
            "max_age": self._config.max_age or "off",
            **counters,
        }

    def _log(self, now: float, counters: Fields) -> None:
        line = " ".join(f"{name}={value}" for name, value in counters.items())
        if now - self._logged_at < LOG_INTERVAL_SECONDS or line == self._logged:
            return
        self._logged_at, self._logged = now, line
        logger.info("node %s: %s", self._config.node_id, line)
