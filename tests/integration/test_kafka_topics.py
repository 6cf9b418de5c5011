"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack, ginkgo_site.devstack.waiting, trading.bus.admin, trading.bus.topics
Role: `manage.py kafka_topics` creates the contract topics on a real broker, idempotently."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ginkgo_site.devstack import free_port
from ginkgo_site.devstack.waiting import wait_until
from trading.bus.admin import existing_topics
from trading.bus.topics import TOPICS


def test_create_makes_every_contract_topic_with_its_partition_count(
    kafka_bootstrap, topic_namespace
):
    out = StringIO()

    call_command("kafka_topics", "--create", stdout=out)

    wanted = {f"{topic_namespace}{spec.name}": spec.partitions for spec in TOPICS}
    # The dev broker's all-topics listing can lag or come back partial on a busy broker.
    present = wait_until(
        lambda: (found := existing_topics(kafka_bootstrap)).keys() >= wanted.keys() and found,
        what="the created topics in the broker's metadata",
    )
    assert {name: present[name] for name in wanted} == wanted
    assert out.getvalue().count("created") == len(TOPICS)


def test_create_twice_changes_nothing_and_says_so(kafka_bootstrap, topic_namespace):
    call_command("kafka_topics", "--create", stdout=StringIO())
    out = StringIO()

    call_command("kafka_topics", "--create", stdout=out)

    assert "created" not in out.getvalue()
    assert out.getvalue().count("exists") == len(TOPICS)


def test_list_shows_the_broker_topics(kafka_bootstrap, topic_namespace):
    call_command("kafka_topics", "--create", stdout=StringIO())
    out = StringIO()

    call_command("kafka_topics", "--list", stdout=out)

    assert f"{topic_namespace}ginkgo.live.orders.submission  (6 partitions)" in out.getvalue()


def test_unreachable_broker_is_one_clear_error(settings):
    settings.KAFKA_BOOTSTRAP_SERVERS = f"127.0.0.1:{free_port()}"

    with pytest.raises(CommandError) as error:
        call_command("kafka_topics", "--list", "--timeout", "1")

    message = str(error.value)
    assert settings.KAFKA_BOOTSTRAP_SERVERS in message
    assert "unreachable" in message
    assert "\n" not in message
