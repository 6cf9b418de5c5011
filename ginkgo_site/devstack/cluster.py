"""Upstream: bench.cluster_stack, bench.failover, bench.migration, bench.reload
Downstream: ginkgo_site.devstack.waiting, scheduling.models, scheduling.services.schedule, trading.bus.config, trading.core.accounting.portfolio, trading.models, trading.redis_store, trading.services.portfolio_state
Role: real processes for end-to-end tests and benchmarks: `manage.py` subprocesses against the current database, broker and Redis, their Redis status, and a cluster of plan-driven nodes with the scheduler's services run from the caller."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import redis
from django.db import connection

from ginkgo_site.devstack.waiting import wait_until
from scheduling.models import RunTrigger
from scheduling.services.schedule import heartbeat_check, schedule_run
from trading.bus.config import BusConfig
from trading.core.accounting.portfolio import Portfolio as Ledger
from trading.models import DesiredState, Portfolio
from trading.redis_store import heartbeat_key, node_processors_key, portfolio_status_key
from trading.services.portfolio_state import portfolio_fill_list

ROOT = Path(__file__).resolve().parents[2]
# Short node intervals: heartbeat every 1 s with a 3 s TTL, plan pulled every 2 s.
FAST_NODES = {
    "GINKGO_HEARTBEAT_INTERVAL": "1",
    "GINKGO_HEARTBEAT_TTL": "3",
    "GINKGO_SCHEDULE_INTERVAL": "2",
}


def database_url() -> str:
    """The current database as a DATABASE_URL for subprocesses."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def process_env(bus: BusConfig, redis_url: str, redis_prefix: str, **extra: str) -> dict[str, str]:
    """The environment of a subprocess on the current database and the given topics and Redis keys."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "KAFKA_BOOTSTRAP_SERVERS": bus.bootstrap,
        "GINKGO_TOPIC_NAMESPACE": bus.namespace,
        "REDIS_URL": redis_url,
        "GINKGO_REDIS_PREFIX": redis_prefix,
        **extra,
    }


def spawn(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``manage.py *argv`` in the background, output appended to ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), *argv],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop(process: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGTERM) -> int:
    """Signal the process (unless it ended) and wait for its exit status."""
    if process.poll() is None:
        process.send_signal(sig)
    return process.wait(60)


def status(client: redis.Redis, portfolio_id: str) -> dict[str, str]:
    """``portfolio:{id}:status`` as text."""
    raw = client.hgetall(portfolio_status_key(portfolio_id))
    return {k.decode(): v.decode() for k, v in raw.items()}


def stored_state(portfolio_id: str) -> tuple[Decimal, dict[str, Decimal]]:
    """Cash and open positions rebuilt from the fills the database holds."""
    capital = Portfolio.objects.get(pk=portfolio_id).initial_capital
    ledger = Ledger.rebuild(capital, portfolio_fill_list(portfolio_id=portfolio_id))
    return ledger.cash, {s: p.quantity for s, p in ledger.positions.items() if p.quantity}


def reported_state(fields: dict[str, str]) -> tuple[Decimal, dict[str, Decimal]]:
    """Cash and open positions as a node reported them."""
    positions = json.loads(fields["positions"])
    return Decimal(fields["cash"]), {s: Decimal(q) for s, q in positions.items()}


class Cluster:
    """Plan-driven ``run_node`` processes, with the scheduler's services called from the
    caller (:meth:`schedule`) instead of celery beat."""

    def __init__(self, env: dict[str, str], client: redis.Redis, logs: Path) -> None:
        self.env = env
        self.client = client
        self.logs = logs
        self.nodes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, node_id: str) -> None:
        """Start a node process (it runs what the plan gives it)."""
        argv = ["run_node", "--node-id", node_id]
        self.nodes[node_id] = spawn(argv, self.env, self.logs / f"{node_id}.log")

    def wait_alive(self) -> None:
        """Wait until every started node beats (before the first schedule run places)."""
        wait_until(
            lambda: all(self.client.exists(heartbeat_key(n)) for n in self.nodes),
            timeout=60,
            what=f"heartbeats of {sorted(self.nodes)}",
        )

    def stop(self, node_id: str, sig: signal.Signals = signal.SIGTERM) -> int:
        """Signal a node and wait for it to end."""
        return stop(self.nodes.pop(node_id), sig)

    def stop_all(self) -> dict[str, int]:
        """Stop every node still running; their exit statuses."""
        return {node_id: self.stop(node_id) for node_id in list(self.nodes)}

    def processors(self) -> dict[str, set[str]]:
        """What every running node says it runs."""
        return {
            node_id: {m.decode() for m in self.client.smembers(node_processors_key(node_id))}
            for node_id in self.nodes
        }

    def running_once(self, portfolio_ids: set[str]) -> dict[str, str] | None:
        """portfolio -> node when each of ``portfolio_ids`` runs on exactly one live node
        (and its status says so), else None."""
        where: dict[str, str] = {}
        for node_id, hosted in self.processors().items():
            for portfolio_id in hosted:
                if portfolio_id in where:
                    return None
                where[portfolio_id] = node_id
        if not portfolio_ids <= where.keys():
            return None
        for portfolio_id in portfolio_ids:
            fields = status(self.client, portfolio_id)
            if fields.get("status") != "running" or fields.get("node") != where[portfolio_id]:
                return None
        return where

    def schedule(
        self,
        condition: Callable[[], Any],
        timeout: float = 60.0,
        what: str = "",
        check_every: float = 0.0,
        run_every: float = 2.0,
    ) -> Any:
        """Run the heartbeat check every ``check_every`` s (0: at every poll) and a schedule
        run every ``run_every`` s until ``condition`` holds; returns what it returned."""
        next_run = next_check = 0.0

        def scheduled() -> Any:
            nonlocal next_run, next_check
            now = time.monotonic()
            if now >= next_run:
                schedule_run(trigger=RunTrigger.BEAT)
                next_run = now + run_every
            elif now >= next_check:
                heartbeat_check()
                next_check = now + check_every
            return condition()

        return wait_until(scheduled, timeout=timeout, what=what)


def run_portfolios(portfolio_ids: list[str]) -> None:
    """Mark portfolios as wanted running (what the scheduler places)."""
    Portfolio.objects.filter(pk__in=portfolio_ids).update(desired_state=DesiredState.RUNNING)
