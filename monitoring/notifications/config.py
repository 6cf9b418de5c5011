"""Upstream: monitoring.notifications.dispatch, monitoring.notifications.sinks, monitoring.management.commands.run_notifications
Downstream: trading.bus.messages
Role: NotifyConfig: the GINKGO_NOTIFY_* settings as one frozen object (sinks, levels, grouping, rate limits, webhook and e-mail)."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from trading.bus.messages import NoticeLevel

SINK_NAMES = ("log", "webhook", "email")


@dataclass(frozen=True, slots=True)
class NotifyConfig:
    """How notices are grouped, limited and delivered."""

    sinks: tuple[str, ...] = ("log",)
    min_level: NoticeLevel = NoticeLevel.WARNING
    group_window: timedelta = timedelta(minutes=5)
    repeat_interval: float = 300.0
    per_minute: int = 20
    webhook_url: str = ""
    webhook_timeout: float = 5.0
    webhook_attempts: int = 4
    email_to: tuple[str, ...] = ()
    email_from: str = "ginkgo-live@localhost"

    def __post_init__(self) -> None:
        unknown = set(self.sinks) - set(SINK_NAMES)
        if unknown:
            raise ValueError(f"unknown notification sink(s) {sorted(unknown)}: use {SINK_NAMES}")
        if "webhook" in self.sinks and not self.webhook_url.startswith(("http://", "https://")):
            raise ValueError("the webhook sink needs an http(s) GINKGO_NOTIFY_WEBHOOK_URL")
        if "email" in self.sinks and not self.email_to:
            raise ValueError("the email sink needs GINKGO_NOTIFY_EMAIL_TO")

    @classmethod
    def from_settings(cls) -> "NotifyConfig":
        """The GINKGO_NOTIFY_* settings as they are now."""
        return cls(
            sinks=tuple(name.strip() for name in settings.GINKGO_NOTIFY_SINKS if name.strip()),
            min_level=NoticeLevel(settings.GINKGO_NOTIFY_MIN_LEVEL),
            group_window=timedelta(seconds=settings.GINKGO_NOTIFY_GROUP_WINDOW),
            repeat_interval=settings.GINKGO_NOTIFY_REPEAT_INTERVAL,
            per_minute=settings.GINKGO_NOTIFY_RATE_PER_MINUTE,
            webhook_url=settings.GINKGO_NOTIFY_WEBHOOK_URL,
            webhook_timeout=settings.GINKGO_NOTIFY_WEBHOOK_TIMEOUT,
            webhook_attempts=settings.GINKGO_NOTIFY_WEBHOOK_ATTEMPTS,
            email_to=tuple(settings.GINKGO_NOTIFY_EMAIL_TO),
            email_from=settings.GINKGO_NOTIFY_EMAIL_FROM,
        )
