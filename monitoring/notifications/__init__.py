"""Upstream: trading.livecore.engine, trading.node.output, (Python package import)
Downstream: monitoring.notifications.kinds, monitoring.notifications.publish
Role: notifications: publish_notice and the kinds catalogue for every component; the service (consumer, rules, sinks) lives in the submodules.

Importing this package is cheap and Django-model free, so nodes and LiveCore can use it."""

from monitoring.notifications import kinds
from monitoring.notifications.publish import notice_producers_close, publish_notice

__all__ = ["kinds", "notice_producers_close", "publish_notice"]
