"""Upstream: monitoring.notifications.dispatch
Downstream: monitoring.notifications.config
Role: where notices go: the log, a webhook (JSON POST with urllib, retried with backoff) and e-mail (Django's backend)."""

import json
import logging
import smtplib
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any, Protocol

from django.core.mail import send_mail
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from monitoring.notifications.config import NotifyConfig

logger = logging.getLogger(__name__)
# The log sink's own logger, so operators can route notices apart from the service's log.
notices_log = logging.getLogger("monitoring.notices")

Payload = Mapping[str, Any]
_LOG_LEVELS = {
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
}
RETRY_WAIT_MAX_SECONDS = 5.0


class DeliveryFailed(Exception):
    """A sink could not deliver; the message says why in one line."""


class Sink(Protocol):
    """Delivers one notice (the JSON-ready payload of dispatch.notice_payload)."""

    name: str

    def deliver(self, payload: Payload) -> None:
        """Deliver or raise DeliveryFailed."""


class LogSink:
    name = "log"

    def deliver(self, payload: Payload) -> None:
        notices_log.log(
            _LOG_LEVELS[payload["level"]],
            "%s %s: %s (x%d)",
            payload["kind"],
            payload["portfolio_id"] or payload["node_id"] or "-",
            payload["message"],
            payload["count"],
        )


class _Retryable(DeliveryFailed):
    """A failure worth another attempt (network, timeout, 5xx, 429)."""


class WebhookSink:
    """POSTs the payload as JSON; network faults, 5xx and 429 are retried with exponential
    backoff up to ``attempts`` times, other answers fail at once."""

    name = "webhook"

    def __init__(self, url: str, *, timeout: float, attempts: int, backoff: float = 0.5) -> None:
        self._url = url
        self._timeout = timeout
        self._attempts = attempts
        self._backoff = backoff

    def deliver(self, payload: Payload) -> None:
        body = json.dumps(payload).encode()
        retrying = Retrying(
            retry=retry_if_exception_type(_Retryable),
            wait=wait_exponential(multiplier=self._backoff, max=RETRY_WAIT_MAX_SECONDS),
            stop=stop_after_attempt(self._attempts),
            before_sleep=lambda state: logger.warning(
                "webhook delivery failed (%s); retrying",
                state.outcome.exception() if state.outcome else "?",
            ),
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                self._post(body)

    def _post(self, body: bytes) -> None:
        request = urllib.request.Request(
            self._url,
            data=body,
            headers={"Content-Type": "application/json", "User-Agent": "ginkgo-live"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            failure = _Retryable if exc.code >= 500 or exc.code == 429 else DeliveryFailed
            raise failure(f"webhook answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise _Retryable(f"webhook unreachable: {exc}") from exc


class EmailSink:
    """One e-mail per notice through Django's e-mail backend (EMAIL_* settings)."""

    name = "email"

    def __init__(self, to: tuple[str, ...], sender: str) -> None:
        self._to = list(to)
        self._sender = sender

    def deliver(self, payload: Payload) -> None:
        subject = f"[ginkgo {payload['level']}] {payload['kind']}"
        subject += f" {payload['portfolio_id'] or payload['node_id']}".rstrip()
        lines = [f"{key}: {value}" for key, value in payload.items()]
        try:
            send_mail(subject, "\n".join(lines), self._sender, self._to)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"e-mail not sent: {exc}") from exc


def sinks_from_config(config: NotifyConfig) -> list[Sink]:
    """The sinks GINKGO_NOTIFY_SINKS names, in that order."""
    build = {
        "log": LogSink,
        "webhook": lambda: WebhookSink(
            config.webhook_url, timeout=config.webhook_timeout, attempts=config.webhook_attempts
        ),
        "email": lambda: EmailSink(config.email_to, config.email_from),
    }
    return [build[name]() for name in config.sinks]
