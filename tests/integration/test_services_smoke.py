"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack
Role: each real service takes a write and gives it back; probes and handles behave as promised."""

import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from clickhouse_driver import Client
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from django.contrib.auth.models import User
from django.db import connection

from ginkgo_site.devstack import (
    ServiceUnreachable,
    check_clickhouse,
    check_database,
    check_kafka,
    check_redis,
    free_port,
    start_tansu,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_postgres_keeps_a_row_written_through_the_orm():
    User.objects.create_user("smoke", email="smoke@example.test")

    assert User.objects.get(username="smoke").email == "smoke@example.test"
    assert connection.vendor == "postgresql"


def test_redis_gives_back_a_value_under_the_test_prefix(redis_client, settings):
    key = f"{settings.GINKGO_REDIS_PREFIX}smoke"

    redis_client.set(key, b"value")

    assert redis_client.get(key) == b"value"


def test_kafka_delivers_a_keyed_message_to_a_fresh_group(kafka_bootstrap, topic_namespace):
    topic = f"{topic_namespace}smoke"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])[topic].result(10)
    assert len(admin.list_topics(topic, timeout=10).topics[topic].partitions) == 3

    producer = Producer(
        {"bootstrap.servers": kafka_bootstrap, "enable.idempotence": True, "acks": "all"}
    )
    delivered = []
    producer.produce(
        topic, key=b"AAPL", value=b'{"px": 1}', on_delivery=lambda e, m: delivered.append(e)
    )
    assert producer.flush(10) == 0
    assert delivered == [None]

    consumer = Consumer(
        {
            "bootstrap.servers": kafka_bootstrap,
            "group.id": f"{topic_namespace}group",
            "auto.offset.reset": "earliest",
            "session.timeout.ms": 6000,
            "heartbeat.interval.ms": 500,
        }
    )
    try:
        consumer.subscribe([topic])
        message = _poll_one(consumer, deadline=time.monotonic() + 30)
    finally:
        consumer.close()
    assert (message.key(), message.value()) == (b"AAPL", b'{"px": 1}')


def _poll_one(consumer: Consumer, deadline: float):
    while time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is not None and message.error() is None:
            return message
        assert message is None or not message.error().fatal(), message.error()
    pytest.fail("no message within 30 s")


def test_clickhouse_returns_rows_from_a_mergetree_table(clickhouse_database, settings):
    client = Client.from_url(settings.CLICKHOUSE_URL)
    try:
        client.execute(
            "CREATE TABLE bars (symbol String, ts DateTime, close Float64)"
            " ENGINE = MergeTree() ORDER BY (symbol, ts)"
        )
        rows = [("AAPL", 1_700_000_000, 189.5), ("MSFT", 1_700_000_060, 370.25)]
        client.execute(
            "INSERT INTO bars (symbol, ts, close) VALUES",
            [(s, datetime.fromtimestamp(ts, UTC), c) for s, ts, c in rows],
        )
        back = client.execute("SELECT symbol, toUnixTimestamp(ts), close FROM bars ORDER BY symbol")
    finally:
        client.disconnect()
    assert back == rows


@pytest.mark.parametrize(
    ("check", "url", "service"),
    [
        (check_kafka, "127.0.0.1:{port}", "kafka"),
        (check_redis, "redis://127.0.0.1:{port}/0", "redis"),
        (check_clickhouse, "clickhouse://127.0.0.1:{port}/default", "clickhouse"),
        (check_database, "postgres://root@127.0.0.1:{port}/test", "postgresql"),
    ],
)
def test_unreachable_port_is_one_line_naming_service_and_address(
    check: Callable[..., float], url: str, service: str
):
    port = free_port()

    with pytest.raises(ServiceUnreachable) as error:
        check(url.format(port=port), timeout=1.0)

    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"{service} at 127.0.0.1:{port}")


def test_stopping_a_spawned_broker_leaves_no_process(tmp_path):
    handle = start_tansu(tmp_path)
    pid = handle.process.pid

    handle.stop()
    handle.stop()  # a second stop is harmless

    assert handle.process.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.skipif(sys.platform != "linux", reason="parent-death signal is Linux only")
def test_a_broker_dies_with_the_process_that_spawned_it(tmp_path):
    spawner = (
        "import os, sys; from pathlib import Path; from ginkgo_site.devstack import start_tansu;"
        "print(start_tansu(Path(sys.argv[1])).process.pid, flush=True); os._exit(0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", spawner, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    pid = int(done.stdout.strip())

    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    # An orphan that died stays a zombie until init reaps it, and some container inits never do.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")
