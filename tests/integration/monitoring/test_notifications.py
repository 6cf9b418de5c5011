"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, monitoring.models, monitoring.notifications, monitoring.notifications.kinds, scheduling.services.nodes, tests.integration.monitoring.kit, trading.bus.config, trading.bus.messages, trading.bus.topics, trading.redis_store
Role: the notification service over the real broker, PostgreSQL and Redis: notices stored and posted to a webhook, repeats grouped, sinks rate-limited, notices of no kind kept as other, dead letters and dead nodes (as the heartbeat check declared them) announced."""

import json
import time
import uuid

import pytest
from confluent_kafka import Producer

from ginkgo_site.devstack.waiting import wait_until
from monitoring.models import Notice
from monitoring.notifications import kinds, publish_notice
from scheduling.services.nodes import nodes_sync
from tests.integration.monitoring.kit import Webhook
from trading.bus.config import BusConfig
from trading.bus.messages import NoticeLevel, Notification
from trading.bus.topics import NOTIFICATIONS
from trading.redis_store import heartbeat_key, nodes_active_key

pytestmark = pytest.mark.django_db(transaction=True)


def delivered() -> list[Notice]:
    """Stored notices whose every sink decided, once there is at least one."""
    rows = list(Notice.objects.order_by("id"))
    return rows if rows and all(row.deliveries for row in rows) else []


def test_a_published_notice_is_stored_and_posted_to_the_webhook(
    notification_service, publisher, webhook: Webhook
):
    notification_service()

    publish_notice(
        kind=kinds.QUEUE_CRITICAL,
        message="queue at 950/1000: dropping",
        source="node:n1",
        portfolio_id="P1",
        node_id="n1",
        producer=publisher,
    )
    publisher.flush()

    (notice,) = wait_until(delivered, what="the notice, delivered")
    assert (notice.kind, notice.level, notice.portfolio_id, notice.node_id, notice.count) == (
        "queue.critical",
        "critical",
        "P1",
        "n1",
        1,
    )
    assert notice.message == "queue at 950/1000: dropping"
    assert notice.deliveries == {"log": "sent", "webhook": "sent"}
    (post,) = webhook.posts
    assert post["id"] == notice.pk
    assert (post["kind"], post["level"], post["portfolio_id"], post["count"]) == (
        "queue.critical",
        "critical",
        "P1",
        1,
    )


def test_repeats_of_a_notice_are_grouped_into_one_row_and_posted_once(
    notification_service, publisher, webhook: Webhook
):
    notification_service()

    for n in range(5):
        publish_notice(
            kind=kinds.STRATEGY_ERROR,
            message=f"strategy raised ValueError {n}",
            source="node:n1",
            portfolio_id="P1",
            producer=publisher,
        )
    publisher.flush()

    notice = wait_until(
        lambda: Notice.objects.filter(count=5).first(), what="five repeats in one notice"
    )
    assert Notice.objects.count() == 1
    assert notice.message == "strategy raised ValueError 4"
    assert notice.deliveries == {"log": "grouped", "webhook": "grouped"}
    assert [post["count"] for post in webhook.posts] == [1]


def test_a_sink_gets_no_more_deliveries_a_minute_than_its_rate(
    notification_service, publisher, webhook: Webhook
):
    notification_service(per_minute=2)

    for portfolio_id in ("P1", "P2", "P3", "P4"):
        publish_notice(
            kind=kinds.KILL_SWITCH,
            message="daily loss limit hit",
            source="node:n1",
            portfolio_id=portfolio_id,
            producer=publisher,
        )
    publisher.flush()

    notices = wait_until(lambda: len(found := delivered()) == 4 and found, what="four notices")
    assert sorted(n.deliveries["webhook"] for n in notices) == [
        "rate_limited",
        "rate_limited",
        "sent",
        "sent",
    ]
    assert len(webhook.posts) == 2


def test_a_notice_that_names_no_kind_is_stored_as_other_whatever_its_text(
    notification_service, publisher, webhook: Webhook
):
    notification_service()

    publisher.publish(
        NOTIFICATIONS,
        Notification(
            ts=time.time_ns(),
            source="node:n1",
            level=NoticeLevel.WARNING,
            message="queue at 712/1000 (>= 70%)",
            portfolio_id="P1",
            node_id="n1",
        ),
    )
    publisher.flush()

    (notice,) = wait_until(delivered, what="the notice")
    assert (notice.kind, notice.level) == (kinds.OTHER, "warning")
    assert webhook.posts[0]["message"] == "queue at 712/1000 (>= 70%)"


def test_notices_below_the_delivery_level_are_stored_but_not_delivered(
    notification_service, webhook: Webhook
):
    notification_service()
    portfolio_id = f"P-{uuid.uuid4().hex[:8]}"

    # Without a producer of its own, as the scheduler or the api would publish.
    publish_notice(
        kind=kinds.MIGRATION_DONE,
        message=f"{portfolio_id} moved from n1 to n2",
        source="scheduler",
        portfolio_id=portfolio_id,
    )

    notice = wait_until(
        lambda: (
            Notice.objects.filter(kind=kinds.MIGRATION_DONE, portfolio_id=portfolio_id)
            .exclude(deliveries={})
            .first()
        ),
        what="the stored notice",
    )
    assert notice.level == "info"
    assert notice.deliveries == {"log": "below_level", "webhook": "below_level"}
    assert webhook.posts == []


def test_undecodable_messages_are_dead_lettered_and_announced_as_one_grouped_notice(
    notification_service, bus: BusConfig, webhook: Webhook
):
    notification_service()
    raw = Producer({"bootstrap.servers": bus.bootstrap})

    for _ in range(2):
        raw.produce(bus.topic(NOTIFICATIONS), b"this is not a message")
    raw.flush(10)

    notice = wait_until(
        lambda: Notice.objects.filter(kind=kinds.DEAD_LETTER, count=2).first(),
        what="two dead letters in one notice",
    )
    assert notice.level == "error"
    assert f"{bus.topic(NOTIFICATIONS)}[" in notice.message
    assert "undecodable" in notice.message
    assert [post["kind"] for post in webhook.posts] == [kinds.DEAD_LETTER]


def test_a_node_whose_heartbeat_expires_is_announced_dead_once_the_check_declared_it(
    notification_service, redis_client, webhook: Webhook
):
    beat = json.dumps({"node_id": "n9", "ts": time.time()})
    redis_client.set(heartbeat_key("n9"), beat, px=1500)
    redis_client.sadd(nodes_active_key(), "n9")
    nodes_sync()
    notification_service()
    wait_until(lambda: not redis_client.exists(heartbeat_key("n9")), what="n9 expired")
    nodes_sync()  # the heartbeat check's verdict, which the service reads

    notice = wait_until(
        lambda: Notice.objects.filter(kind=kinds.NODE_DEAD).first(), what="the dead node notice"
    )
    time.sleep(0.6)  # a few more rule ticks: the death is announced once

    assert (notice.node_id, notice.level, notice.count) == ("n9", "critical", 1)
    assert Notice.objects.get(kind=kinds.NODE_DEAD).count == 1
    assert [post["kind"] for post in webhook.posts] == [kinds.NODE_DEAD]
