"""Upstream: (entry point: pytest, imported by the monitoring tests and tests.e2e.test_dashboard)
Downstream: scheduling.models, trading.models, trading.redis_store
Role: the monitoring tests' kit: permissions for the roles, a webhook receiver on loopback, and a seeded stack (nodes in Redis and the record, portfolios with statuses, orders and fills)."""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import redis

from scheduling.models import ExecutionNode
from trading.models import DesiredState, Fill, Order, Portfolio
from trading.redis_store import (
    heartbeat_key,
    node_info_key,
    nodes_active_key,
    portfolio_status_key,
)


@dataclass
class Webhook:
    """A webhook receiver: ``posts`` are the JSON bodies it accepted; ``fail_first`` answers
    that many requests with 503 first."""

    url: str = ""
    posts: list[dict[str, Any]] = field(default_factory=list)
    failed: int = 0
    fail_first: int = 0


@contextmanager
def webhook_server() -> Iterator[Webhook]:
    """A tiny HTTP server on 127.0.0.1 recording POSTs, for the life of the block."""
    hook = Webhook()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                failing = hook.failed < hook.fail_first
                hook.failed += failing
                if not failing:
                    hook.posts.append(json.loads(body))
            self.send_response(503 if failing else 204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hook.url = f"http://127.0.0.1:{server.server_port}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()


def announce(client: redis.Redis, node_id: str, *, portfolios: list[str], age: float = 1.0) -> None:
    """A node heartbeating (its last beat ``age`` seconds ago) and reporting its info."""
    ExecutionNode.objects.update_or_create(node_id=node_id, defaults={"capacity": 4})
    beat = {"node_id": node_id, "ts": time.time() - age, "capacity": 4}
    client.set(heartbeat_key(node_id), json.dumps(beat), ex=30)
    client.sadd(nodes_active_key(), node_id)
    info = {
        "status": "running",
        "portfolios": len(portfolios),
        "portfolio_ids": ",".join(portfolios),
        "throughput": 42.5,
        "lag_ms": 3.2,
        "dropped": 7,
    }
    client.hset(node_info_key(node_id), mapping=info)


def dead_node(node_id: str, *, status: str = "dead", gone: timedelta = timedelta(0)) -> None:
    """A node whose heartbeat is gone, declared ``status`` (dead or left) ``gone`` ago."""
    ExecutionNode.objects.update_or_create(
        node_id=node_id,
        defaults={"capacity": 4, "status": status, "gone_at": datetime.now(UTC) - gone},
    )


def portfolio(
    client: redis.Redis,
    portfolio_id: str,
    *,
    node: str | None = None,
    status: str = "running",
    queue_size: int = 0,
    dropped: int = 0,
) -> Portfolio:
    """A stored portfolio (running unless ``node`` is None) and, on a node, its live status."""
    row = Portfolio.objects.create(
        portfolio_id=portfolio_id,
        name=f"{portfolio_id} fund",
        initial_capital=Decimal(100_000),
        symbols=["AAA", "BBB"],
        strategy={"name": "sma_cross", "params": {}},
        desired_state=DesiredState.RUNNING if node else DesiredState.STOPPED,
    )
    if node is not None:
        fields = {
            "status": status,
            "node": node,
            "version": 3,
            "queue_size": queue_size,
            "dropped": dropped,
        }
        client.hset(portfolio_status_key(portfolio_id), mapping=fields)
    return row


def trade(
    row: Portfolio, number: int, *, price: str, side: str = "buy", at: datetime | None = None
) -> Fill:
    """A filled order of 10 AAA and its fill, at ``at`` (default now)."""
    when = at or datetime.now(UTC)
    order = Order.objects.create(
        client_order_id=f"{row.pk}-1-{number}",
        portfolio=row,
        symbol="AAA",
        side=side,
        order_type="market",
        quantity=Decimal(10),
        time_in_force="gtc",
        status="filled",
        filled_quantity=Decimal(10),
        average_price=Decimal(price),
        created_at=when,
    )
    return Fill.objects.create(
        fill_id=f"{row.pk}-F{number}",
        order=order,
        portfolio=row,
        symbol="AAA",
        side=side,
        quantity=Decimal(10),
        price=Decimal(price),
        executed_at=when,
    )
