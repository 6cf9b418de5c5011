"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.cluster, ginkgo_site.devstack.feed, ginkgo_site.devstack.waiting, tests.integration.node.conftest, trading.bus.messages, trading.bus.topics, trading.models
Role: graceful reload of a node process's portfolio under a 1,000 updates/s feed: every update reaches the old or the new instance once, in order; a config that cannot be built keeps the old one running."""

import time

import pytest

from ginkgo_site.devstack.cluster import process_env, spawn, status, stop
from ginkgo_site.devstack.feed import TickFeed
from ginkgo_site.devstack.waiting import wait_until
from tests.integration.node.conftest import make_portfolio
from trading.bus.messages import CommandType, ControlCommand
from trading.bus.topics import CONTROL_COMMANDS
from trading.models import Portfolio

pytestmark = pytest.mark.slow

RATE = 1000.0


def reload(publisher, portfolio_id: str, version: int, **changes: object) -> None:
    """Change the stored config (version+1 as the API does) and send portfolio.reload."""
    Portfolio.objects.filter(pk=portfolio_id).update(version=version, **changes)
    command = ControlCommand(ts=time.time_ns(), command_type=CommandType.PORTFOLIO_RELOAD,
                             target_id=portfolio_id, version=version)  # fmt: skip
    publisher.publish(CONTROL_COMMANDS, command)
    publisher.flush()


def test_reload_under_a_live_feed_loses_and_repeats_nothing(
    transactional_db, bus, publisher, redis_url, redis_prefix, redis_client, tmp_path
):
    make_portfolio("R1", ["RRR"], "sma_cross", period=5, size=1)
    env = process_env(bus, redis_url, redis_prefix)
    node = spawn(["run_node", "--node-id", "r1", "--portfolios", "R1"], env, tmp_path / "n.log")
    try:
        wait_until(lambda: status(redis_client, "R1").get("status") == "running", timeout=60,
                   what="R1 running")  # fmt: skip
        feed = TickFeed(publisher, "RRR", RATE).start()
        wait_until(lambda: int(status(redis_client, "R1").get("processed", 0)) > 500,
                   what="the feed reaching R1")  # fmt: skip
        reload(
            publisher, "R1", 2, strategy={"name": "sma_cross", "params": {"period": 6, "size": 1}}
        )
        wait_until(lambda: status(redis_client, "R1").get("version") == "2", what="v2 running")
        time.sleep(1.0)  # the new instance takes the feed for a while
        published = feed.stop()
        final = wait_until(
            lambda: (s := status(redis_client, "R1")) and int(s["processed"]) >= published and s,
            what="every update processed",
        )
        assert (final["status"], final["version"], final["error"]) == ("running", "2", "")
        assert int(final["processed"]) == published
        assert (final["repeats"], final["dropped"], final["buffer_size"]) == ("0", "0", "0")

        reload(publisher, "R1", 3, strategy={"name": "no-such-strategy", "params": {}})
        failed = wait_until(lambda: (s := status(redis_client, "R1"))["error"] and s,
                            what="the failed reload reported")  # fmt: skip
        assert (failed["status"], failed["version"]) == ("running", "2")
        assert "reload" in failed["error"]
    finally:
        assert stop(node) == 0
