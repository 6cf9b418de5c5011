"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, trading.bus.codec, trading.bus.mapping, trading.bus.messages, trading.bus.topics, trading.core.testing.builders, trading.livecore.runtime, trading.models
Role: LiveEngine group commit on real Kafka and PostgreSQL: what waits on its topics is handled in batches, one transaction each, and a poison message, a refused write or a lost connection inside a batch loses nothing and executes nothing twice."""

import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from confluent_kafka import Producer
from django.db import connection

from ginkgo_site.devstack.waiting import wait_until
from trading.bus.codec import to_ns
from trading.bus.mapping import order_message, price_message
from trading.bus.messages import (
    DeadLetter,
    OrderAcceptedReport,
    OrderFilledReport,
)
from trading.bus.topics import DEAD_LETTER, MARKET_DATA, ORDERS_FEEDBACK, ORDERS_SUBMISSION
from trading.core.testing.builders import T0, bar, order
from trading.livecore.runtime import LiveCore
from trading.models import Fill

BURST = 30
NEXT_DAY = T0 + timedelta(days=1)
NODE_OFFLINE = b'{"type": "node.offline", "schema": 1, "ts": 1, "node_id": "n"}'
SYMBOLS = ("AAA", "BBB")

# The top-level transaction that wrote each order and fill row (savepoints included).
WRITTEN_BY = """
CREATE TABLE test_written_by (tbl text, id text, xact bigint);
CREATE FUNCTION test_note_xact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO test_written_by VALUES (TG_TABLE_NAME, to_jsonb(NEW) ->> TG_ARGV[0], txid_current());
    RETURN NEW;
END $$;
CREATE TRIGGER test_order_xact AFTER INSERT ON trading_order
    FOR EACH ROW EXECUTE FUNCTION test_note_xact('client_order_id');
CREATE TRIGGER test_fill_xact AFTER INSERT ON trading_fill
    FOR EACH ROW EXECUTE FUNCTION test_note_xact('order_id');
"""
# The database refuses one order (not a transient fault: the batch fails).
REFUSE_ORDER = """
CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.client_order_id = TG_ARGV[0] THEN RAISE EXCEPTION 'refused %', NEW.client_order_id; END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER test_refuse BEFORE INSERT ON trading_order
    FOR EACH ROW EXECUTE FUNCTION test_refuse('P1-0-13');
"""
# The connection running the third fill insert is terminated by the server (a transient fault).
DROP_CONNECTION = """
CREATE SEQUENCE test_fill_inserts;
CREATE FUNCTION test_drop() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF nextval('test_fill_inserts') = 3 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER test_drop BEFORE INSERT ON trading_fill
    FOR EACH ROW EXECUTE FUNCTION test_drop();
"""
CLEAN_UP = """
DROP TRIGGER IF EXISTS test_order_xact ON trading_order;
DROP TRIGGER IF EXISTS test_fill_xact ON trading_fill;
DROP TRIGGER IF EXISTS test_refuse ON trading_order;
DROP TRIGGER IF EXISTS test_drop ON trading_fill;
DROP FUNCTION IF EXISTS test_note_xact, test_refuse, test_drop;
DROP SEQUENCE IF EXISTS test_fill_inserts;
DROP TABLE IF EXISTS test_written_by;
"""


@pytest.fixture
def database(transactional_db: None) -> Iterator[Callable[[str], None]]:
    """``database(sql)`` runs test-only DDL (triggers); all of it is dropped afterwards, and
    every order and fill insert is noted with its transaction (see ``written_by``)."""

    def run(sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)

    run(WRITTEN_BY)
    yield run
    run(CLEAN_UP)


def written_by(table: str) -> dict[str, list[int]]:
    """The transactions that inserted the rows of ``table``, by client order id."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, xact FROM test_written_by WHERE tbl = %s", [table])
        rows = cursor.fetchall()
    found: dict[str, list[int]] = {}
    for order_id, xact in rows:
        found.setdefault(order_id, []).append(xact)
    return found


def burst_ids() -> list[str]:
    return [f"P1-0-{n}" for n in range(1, BURST + 1)]


def restart_with_waiting(
    start_livecore: Callable[..., LiveCore], publisher, publish: Callable[[], None]
) -> LiveCore:
    """LiveCore handles an order and bars of T0 (so its consumers have committed offsets) and
    stops; then ``publish`` puts messages on its topics, and a new LiveCore finds them
    waiting."""
    first = start_livecore()
    publisher.publish(
        ORDERS_SUBMISSION, order_message(order(client_order_id="P1-0-0", created_at=T0))
    )
    for symbol in SYMBOLS:  # each on its own partition
        publisher.publish(MARKET_DATA, price_message(bar("10", symbol=symbol, time=T0)))
    publisher.flush()
    wait_until(
        lambda: first.counters["accepted"] == 1 and first.counters["prices"] == len(SYMBOLS),
        what="the first order and bar",
    )
    first.stop()
    assert first.stopped.wait(30)
    publish()
    return start_livecore()


def publish_burst(publisher, poison: Callable[[], None] | None = None) -> None:
    """BURST market orders of T0 (``poison`` published in the middle), then a bar a day
    later for each symbol: each order fills once, on its symbol's bar."""
    for n, client_order_id in enumerate(burst_ids(), 1):
        symbol = SYMBOLS[n % len(SYMBOLS)]
        message = order(client_order_id=client_order_id, symbol=symbol, created_at=T0)
        publisher.publish(ORDERS_SUBMISSION, order_message(message))
        if poison is not None and n == BURST // 2:
            publisher.flush()
            poison()
    for symbol in SYMBOLS:
        publisher.publish(MARKET_DATA, price_message(bar("10", symbol=symbol, time=NEXT_DAY)))
    publisher.flush()


def assert_each_filled_once(feedback, order_ids: list[str]) -> None:
    """Every order was accepted and filled once: in the database and on the feedback topic."""
    fills = feedback.wait_for(OrderFilledReport, len(order_ids))
    time.sleep(1)  # anything published twice would have arrived by now
    accepted = Counter(m.client_order_id for m in feedback.of(OrderAcceptedReport))
    filled = Counter(m.client_order_id for m in feedback.of(OrderFilledReport))
    assert {i: accepted[i] for i in order_ids} == dict.fromkeys(order_ids, 1)
    assert {i: filled[i] for i in order_ids} == dict.fromkeys(order_ids, 1)
    assert all(f.ts == to_ns(NEXT_DAY) for f in fills)
    stored = Counter(Fill.objects.filter(order_id__in=order_ids).values_list("order", flat=True))
    assert stored == Counter(order_ids)


def test_a_burst_waiting_on_the_topics_is_handled_in_few_transactions(
    portfolio, database, start_livecore, publisher, record
):
    feedback = record(ORDERS_FEEDBACK)
    core = restart_with_waiting(start_livecore, publisher, lambda: publish_burst(publisher))

    assert_each_filled_once(feedback, burst_ids())
    intake = written_by("trading_order")
    fills = written_by("trading_fill")
    commits = {xact for i in burst_ids() for xact in intake[i] + fills[i]}
    assert len(commits) <= 6, f"{len(commits)} transactions for {BURST} orders and fills"
    assert core.counters["orders"] == BURST
    assert core.counters["duplicates"] == 0


def test_a_poison_message_in_a_batch_is_dead_lettered_alone_and_the_rest_executed(
    bus, portfolio, database, start_livecore, publisher, record
):
    feedback = record(ORDERS_FEEDBACK)
    letters = record(DEAD_LETTER)

    def poison() -> None:
        # Under the orders' key (their partition): garbage, and a message of another topic.
        raw = Producer({"bootstrap.servers": bus.bootstrap})
        for value in (b"\x00 not json", NODE_OFFLINE):
            raw.produce(bus.topic(ORDERS_SUBMISSION), value, key=b"P1")
        assert raw.flush(10) == 0

    core = restart_with_waiting(start_livecore, publisher, lambda: publish_burst(publisher, poison))

    assert_each_filled_once(feedback, burst_ids())
    reasons = sorted(letter.reason for letter in letters.wait_for(DeadLetter, 2))
    assert reasons[0] == "handler error: UnexpectedMessage: NodeOffline on the submission topic"
    assert reasons[1].startswith("undecodable")
    assert (core.counters["orders"], core.counters["duplicates"]) == (BURST, 0)


def test_a_write_the_database_refuses_mid_batch_dead_letters_that_order_alone(
    portfolio, database, start_livecore, publisher, record
):
    database(REFUSE_ORDER)
    feedback = record(ORDERS_FEEDBACK)
    letters = record(DEAD_LETTER)
    core = restart_with_waiting(start_livecore, publisher, lambda: publish_burst(publisher))

    executed = [i for i in burst_ids() if i != "P1-0-13"]
    assert_each_filled_once(feedback, executed)
    (letter,) = letters.wait_for(DeadLetter)
    assert letter.reason.startswith("handler error: ")
    assert "refused P1-0-13" in letter.reason
    # The rolled-back batch recorded nothing and told nothing: each order once, none twice.
    assert {i: len(x) for i, x in written_by("trading_order").items() if i in executed} == (
        dict.fromkeys(executed, 1)
    )
    assert (core.counters["orders"], core.counters["duplicates"]) == (BURST - 1, 0)
    assert feedback.of(OrderAcceptedReport)[-1].client_order_id == executed[-1]


def test_a_connection_lost_mid_batch_retries_the_batch_and_executes_each_order_once(
    portfolio, database, start_livecore, publisher, record
):
    database(DROP_CONNECTION)
    feedback = record(ORDERS_FEEDBACK)
    letters = record(DEAD_LETTER)
    core = restart_with_waiting(start_livecore, publisher, lambda: publish_burst(publisher))

    assert_each_filled_once(feedback, burst_ids())
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM test_fill_inserts")
        assert cursor.fetchone()[0] > BURST  # the dropped batch's inserts, then the retry's
    assert letters.of(DeadLetter) == []
    fills = written_by("trading_fill")
    assert {i: len(fills[i]) for i in burst_ids()} == dict.fromkeys(burst_ids(), 1)
    assert (core.counters["orders"], core.counters["duplicates"]) == (BURST, 0)
