"""Upstream: monitoring.notifications, monitoring.notifications.intake, monitoring.notifications.publish, monitoring.notifications.rules, monitoring.services, scheduling.services.migration, scheduling.services.publishing, trading.livecore.engine, trading.node.buffer, trading.node.host, trading.node.output, trading.node.processor, trading.services.portfolio_verify
Downstream: trading.bus.messages
Role: the catalogue of notice kinds: the constants every component publishes with, each with its default level and who raises it."""

from dataclasses import dataclass

from trading.bus.messages import NoticeLevel

# Backpressure (ExecutionNode router): a portfolio queue at >= 70% / >= 90% (dropping).
QUEUE_WARNING = "queue.warning"
QUEUE_CRITICAL = "queue.critical"
# Graceful reload (ExecutionNode): the reload buffer at >= 500 events / full (dropping).
RELOAD_BUFFER_HIGH = "reload.buffer_high"
RELOAD_BUFFER_FULL = "reload.buffer_full"
RELOAD_FAILED = "reload.failed"
# Node liveness (the notification service's own rules, from Redis heartbeats).
NODE_HEARTBEAT_LOST = "node.heartbeat_lost"
NODE_DEAD = "node.dead"
NODE_LEFT = "node.left"
NODE_RECOVERED = "node.recovered"
# Scheduler.
FAILOVER_DONE = "failover.done"
MIGRATION_DONE = "migration.done"
PORTFOLIOS_PENDING = "schedule.pending"
# Portfolio pipeline (ExecutionNode).
RISK_BLOCK = "risk.block"
KILL_SWITCH = "risk.kill_switch"
STRATEGY_ERROR = "strategy.error"
PORTFOLIO_START_FAILED = "portfolio.start_failed"
# LiveEngine.
ORDER_REJECTED = "order.rejected"
# The paper twin (the periodic verify task): live fills differ from their replay.
PORTFOLIO_DIVERGED = "portfolio.diverged"
# Any consumer (the notification service reads ginkgo.deadletter).
DEAD_LETTER = "bus.dead_letter"
# A notice whose kind could not be told (grouped only with identical text).
OTHER = "other"


@dataclass(frozen=True, slots=True)
class KindSpec:
    """What a kind means: its default level, and who raises it."""

    level: NoticeLevel
    raised_by: str
    summary: str


CATALOGUE: dict[str, KindSpec] = {
    QUEUE_WARNING: KindSpec(NoticeLevel.WARNING, "node", "portfolio queue at >= 70%"),
    QUEUE_CRITICAL: KindSpec(
        NoticeLevel.CRITICAL, "node", "portfolio queue at >= 90%: updates dropped"
    ),
    RELOAD_BUFFER_HIGH: KindSpec(NoticeLevel.WARNING, "node", "reload buffer at >= 500 events"),
    RELOAD_BUFFER_FULL: KindSpec(
        NoticeLevel.CRITICAL, "node", "reload buffer full: events dropped"
    ),
    RELOAD_FAILED: KindSpec(
        NoticeLevel.ERROR, "node", "the new version could not be built: the old one runs on"
    ),
    NODE_HEARTBEAT_LOST: KindSpec(
        NoticeLevel.WARNING, "notifications", "no heartbeat for two intervals"
    ),
    NODE_DEAD: KindSpec(NoticeLevel.CRITICAL, "notifications", "heartbeat expired: node dead"),
    NODE_LEFT: KindSpec(NoticeLevel.INFO, "notifications", "node stopped cleanly"),
    NODE_RECOVERED: KindSpec(NoticeLevel.INFO, "notifications", "node heartbeats again"),
    FAILOVER_DONE: KindSpec(
        NoticeLevel.WARNING, "scheduler", "a dead node's portfolios were placed elsewhere"
    ),
    MIGRATION_DONE: KindSpec(NoticeLevel.INFO, "scheduler", "a portfolio moved to another node"),
    PORTFOLIOS_PENDING: KindSpec(
        NoticeLevel.WARNING, "scheduler", "portfolios wait for a node with room"
    ),
    RISK_BLOCK: KindSpec(NoticeLevel.WARNING, "node", "a risk manager blocked an order"),
    KILL_SWITCH: KindSpec(NoticeLevel.CRITICAL, "node", "risk halted the portfolio"),
    STRATEGY_ERROR: KindSpec(NoticeLevel.ERROR, "node", "the strategy raised: portfolio in error"),
    PORTFOLIO_START_FAILED: KindSpec(NoticeLevel.ERROR, "node", "a portfolio could not be started"),
    ORDER_REJECTED: KindSpec(
        NoticeLevel.WARNING, "livecore", "LiveCore or its gateway rejected an order"
    ),
    PORTFOLIO_DIVERGED: KindSpec(
        NoticeLevel.WARNING,
        "verify task",
        "live fills differ from the replay of the live history (first divergence)",
    ),
    DEAD_LETTER: KindSpec(
        NoticeLevel.ERROR, "notifications", "a message could not be decoded or handled"
    ),
    OTHER: KindSpec(NoticeLevel.INFO, "anyone", "a notice of no known kind"),
}


def default_level(kind: str) -> NoticeLevel:
    """The catalogue's level of ``kind`` (info for kinds it does not know)."""
    spec = CATALOGUE.get(kind)
    return spec.level if spec else NoticeLevel.INFO
