"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, tests.integration.livecore.conftest, trading.bus.mapping, trading.bus.messages, trading.bus.topics, trading.core.enums, trading.core.orders.order, trading.core.testing.random_walk, trading.models, trading.redis_store
Role: a `manage.py run_livecore` process killed with SIGKILL mid-stream and restarted loses no fill and executes no order twice."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from ginkgo_site.devstack.waiting import wait_until
from tests.integration.livecore.conftest import make_portfolio
from trading.bus.mapping import order_message
from trading.bus.messages import FillReport
from trading.bus.topics import ORDERS_FEEDBACK, ORDERS_SUBMISSION
from trading.core.enums import Side
from trading.core.orders.order import Order
from trading.core.testing.random_walk import random_walk, write_bars_csv
from trading.models import Fill
from trading.redis_store import engine_status_key

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SYMBOLS = ("AAA", "BBB")
BARS = 60
ENGINE = "e2e"


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class LiveCoreProcess:
    def __init__(self, files: list[Path], env: dict[str, str], log: Path) -> None:
        argv = [
            sys.executable,
            str(ROOT / "manage.py"),
            "run_livecore",
            "--engine-id",
            ENGINE,
            "--source",
            "replay",
            "--files",
            *map(str, files),
            "--speed",
            "0.1",
            "--publish-all",
        ]
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )

    def wait_ready(self, redis_client) -> None:
        key = engine_status_key(ENGINE)
        wait_until(
            lambda: (
                self.process.poll() is None
                and redis_client.hget(key, "pid") == str(self.process.pid).encode()
                and redis_client.hget(key, "status") == b"running"
            ),
            timeout=60,
            what="LiveCore ready",
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(60)


def test_a_killed_and_restarted_livecore_loses_no_fill_and_executes_no_order_twice(
    transactional_db, bus, publisher, record, redis_url, redis_prefix, redis_client, tmp_path
):
    bars = {s: list(random_walk(BARS, seed=i, symbol=s)) for i, s in enumerate(SYMBOLS)}
    files = [write_bars_csv(tmp_path / f"{s}.csv", bars[s]) for s in SYMBOLS]
    make_portfolio("P1", list(SYMBOLS))
    # A market order on every bar but the last fills at the next bar's open, at its time.
    orders = [
        Order(f"P1-0-{n}", "P1", s, Side.BUY if n % 2 else Side.SELL, n % 7 + 1, bars[s][i].time)
        for n, (i, s) in enumerate(((i, s) for i in range(BARS - 1) for s in SYMBOLS), start=1)
    ]
    expected = {
        o.client_order_id: (
            f"{o.client_order_id}:1",
            bars[o.symbol][i + 1].open,
            bars[o.symbol][i + 1].time,
        )
        for o in orders
        for i in [next(k for k, b in enumerate(bars[o.symbol]) if b.time == o.created_at)]
    }
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "KAFKA_BOOTSTRAP_SERVERS": bus.bootstrap,
        "GINKGO_TOPIC_NAMESPACE": bus.namespace,
        "REDIS_URL": redis_url,
        "GINKGO_REDIS_PREFIX": redis_prefix,
    }
    feedback = record(ORDERS_FEEDBACK)
    first = LiveCoreProcess(files, env, tmp_path / "livecore.log")
    first.wait_ready(redis_client)

    sent = 0
    while Fill.objects.count() < len(orders) // 3:
        publisher.publish(ORDERS_SUBMISSION, order_message(orders[sent]))
        publisher.flush()
        sent += 1
        time.sleep(0.02)
    first.kill()
    second = LiveCoreProcess(files, env, tmp_path / "livecore.log")
    try:
        second.wait_ready(redis_client)
        # A node that never heard back resends its last orders; then the stream goes on.
        for item in orders[max(0, sent - 10) :]:
            publisher.publish(ORDERS_SUBMISSION, order_message(item))
        publisher.flush()

        wait_until(
            lambda: Fill.objects.count() >= len(orders),
            timeout=90,
            what="every fill in the database",
        )
        fills = wait_until(
            lambda: (
                {f.client_order_id for f in feedback.of(FillReport)} == set(expected)
                and feedback.of(FillReport)
            ),
            what="every fill on the feedback topic",
        )
    finally:
        status = second.stop()

    assert status == 0
    recorded = {f.order_id: (f.fill_id, f.price, f.executed_at) for f in Fill.objects.all()}
    assert Fill.objects.count() == len(orders)
    assert recorded == expected
    published = {(f.client_order_id, f.fill_id, f.price) for f in fills}
    assert published == {(coid, fid, price) for coid, (fid, price, _) in expected.items()}
