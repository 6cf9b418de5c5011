"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.cluster, ginkgo_site.devstack.feed, ginkgo_site.devstack.waiting, monitoring.models, monitoring.notifications.kinds, scheduling.services.publishing, tests.integration.monitoring.kit, tests.integration.node.conftest
Role: notices end to end with real processes: `run_notifications` stores and posts to a webhook the 70% / 90% queue notices of an overloaded portfolio on a `run_node`, then the dead-node and failover notices after a node is killed (-9)."""

import signal

import pytest

from ginkgo_site.devstack.cluster import (
    FAST_NODES,
    Cluster,
    process_env,
    run_portfolios,
    spawn,
    stop,
)
from ginkgo_site.devstack.feed import TickFeed
from ginkgo_site.devstack.waiting import wait_until
from monitoring.models import Notice
from monitoring.notifications import kinds
from scheduling.services.publishing import scheduler_producers_close
from tests.integration.monitoring.kit import Webhook, webhook_server
from tests.integration.node.conftest import make_portfolio

pytestmark = pytest.mark.slow

# HOT gets a flood of ticks it cannot keep up with; P2 trades quietly until its node dies.
PORTFOLIOS = {"HOT": ["HOT"], "P2": ["AAA"]}
# A 10-update queue: 7 is 70%, 9 is 90%.
QUEUE = "10"
FLOOD_RATE = 2000.0


def sent(kind: str, **fields: str) -> Notice | None:
    """The stored notice of ``kind`` (and ``fields``) once the webhook sink has sent it."""
    return Notice.objects.filter(kind=kind, deliveries__webhook="sent", **fields).first()


def posted(hook: Webhook, notice: Notice) -> dict[str, object]:
    """What the webhook received for ``notice``."""
    (post,) = [post for post in hook.posts if post["id"] == notice.pk]
    return post


def test_overload_and_failover_notices_are_stored_and_posted_to_the_webhook(
    transactional_db, bus, publisher, redis_url, redis_prefix, redis_client, tmp_path
):
    for portfolio_id, symbols in PORTFOLIOS.items():
        make_portfolio(portfolio_id, symbols, "sma_cross", period=5, size=1)
    run_portfolios(list(PORTFOLIOS))
    with webhook_server() as hook:
        env = process_env(bus, redis_url, redis_prefix, **FAST_NODES, GINKGO_QUEUE_MAXSIZE=QUEUE,
                          GINKGO_NOTIFY_SINKS="log,webhook",
                          GINKGO_NOTIFY_WEBHOOK_URL=hook.url)  # fmt: skip
        log = tmp_path / "notifications.log"
        notifications = spawn(["run_notifications", "--rules-interval", "0.5"], env, log)
        cluster = Cluster(env, redis_client, tmp_path)
        feed = None
        try:
            for node_id in ("n1", "n2"):
                cluster.start(node_id)
            cluster.wait_alive()
            wait_until(lambda: "notification service ready" in log.read_text(), timeout=60,
                       what="the notification service")  # fmt: skip
            placed = cluster.schedule(lambda: cluster.running_once(set(PORTFOLIOS)),
                                      what="both placed")  # fmt: skip

            # Overload: HOT's queue passes 70% then 90%; both notices are kept and posted.
            feed = TickFeed(publisher, "HOT", FLOOD_RATE).start()
            warning = wait_until(lambda: sent(kinds.QUEUE_WARNING, portfolio_id="HOT"),
                                 what="the 70% notice")  # fmt: skip
            critical = wait_until(lambda: sent(kinds.QUEUE_CRITICAL, portfolio_id="HOT"),
                                  what="the 90% notice")  # fmt: skip
            feed.stop()
            feed = None
            for notice, level in ((warning, "warning"), (critical, "critical")):
                assert (notice.level, notice.node_id) == (level, placed["HOT"])
                post = posted(hook, notice)
                assert (post["kind"], post["level"], post["portfolio_id"]) == (
                    notice.kind,
                    level,
                    "HOT",
                )
            assert "(>= 70%)" in warning.message and "(>= 90%)" in critical.message

            # Kill -9 P2's node: it is announced dead, and P2 failed over to the survivor.
            victim = placed["P2"]
            survivor = {"n1": "n2", "n2": "n1"}[victim]
            cluster.stop(victim, signal.SIGKILL)
            cluster.schedule(
                lambda: (
                    (where := cluster.running_once(set(PORTFOLIOS))) and where["P2"] == survivor
                ),
                what="P2 on the survivor",
            )
            dead = wait_until(lambda: sent(kinds.NODE_DEAD, node_id=victim), what="node dead")
            failover = wait_until(lambda: sent(kinds.FAILOVER_DONE, node_id=victim),
                                  what="failover done")  # fmt: skip
            assert dead.level == "critical" and failover.level == "warning"
            assert f"node {victim}" in failover.message
            assert f"P2 -> {survivor}" in failover.message
            assert posted(hook, dead)["kind"] == kinds.NODE_DEAD
            assert posted(hook, failover)["message"] == failover.message
        finally:
            if feed is not None:
                feed.stop()
            codes = cluster.stop_all()
            status = stop(notifications)
            scheduler_producers_close(timeout=1.0)
    assert set(codes.values()) == {0} and status == 0
