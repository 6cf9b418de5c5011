"""Upstream: (entry point: pytest)
Downstream: monitoring.notifications.config, monitoring.notifications.sinks, tests.integration.monitoring.kit
Role: the sinks on their own: the webhook retries what may pass and gives up on what will not, e-mail goes through Django's backend, the settings are checked."""

import pytest
from django.core import mail

from monitoring.notifications.config import NotifyConfig
from monitoring.notifications.sinks import DeliveryFailed, EmailSink, WebhookSink, sinks_from_config
from tests.integration.monitoring.kit import webhook_server

PAYLOAD = {
    "id": 7,
    "kind": "node.dead",
    "level": "critical",
    "message": "node n1: heartbeat expired",
    "source": "notifications",
    "portfolio_id": "",
    "node_id": "n1",
    "count": 1,
}


def test_the_webhook_is_retried_until_it_accepts():
    with webhook_server() as hook:
        hook.fail_first = 2
        sink = WebhookSink(hook.url, timeout=2.0, attempts=3, backoff=0.01)

        sink.deliver(PAYLOAD)

    assert hook.failed == 2
    assert hook.posts == [PAYLOAD]


def test_the_webhook_gives_up_after_its_attempts():
    with webhook_server() as hook:
        hook.fail_first = 5
        sink = WebhookSink(hook.url, timeout=2.0, attempts=3, backoff=0.01)

        with pytest.raises(DeliveryFailed, match="HTTP 503"):
            sink.deliver(PAYLOAD)

    assert (hook.failed, hook.posts) == (3, [])


def test_an_unreachable_webhook_fails_with_the_reason():
    with webhook_server() as hook:
        url = hook.url
    sink = WebhookSink(url, timeout=1.0, attempts=2, backoff=0.01)

    with pytest.raises(DeliveryFailed, match="unreachable"):
        sink.deliver(PAYLOAD)


def test_an_email_goes_to_every_recipient_with_the_notice_in_the_subject(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sink = EmailSink(("ops@example.com", "risk@example.com"), "ginkgo@example.com")

    sink.deliver(PAYLOAD)

    (sent,) = mail.outbox
    assert sent.subject == "[ginkgo critical] node.dead n1"
    assert sent.to == ["ops@example.com", "risk@example.com"]
    assert "message: node n1: heartbeat expired" in sent.body


def test_the_settings_name_the_sinks_in_order(settings):
    settings.GINKGO_NOTIFY_SINKS = ["email", "log", "webhook"]
    settings.GINKGO_NOTIFY_WEBHOOK_URL = "https://hooks.example.com/x"
    settings.GINKGO_NOTIFY_EMAIL_TO = ["ops@example.com"]

    sinks = sinks_from_config(NotifyConfig.from_settings())

    assert [sink.name for sink in sinks] == ["email", "log", "webhook"]


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"sinks": ("sms",)}, "unknown notification sink"),
        ({"sinks": ("webhook",)}, "GINKGO_NOTIFY_WEBHOOK_URL"),
        ({"sinks": ("webhook",), "webhook_url": "file:///etc/passwd"}, "http"),
        ({"sinks": ("email",)}, "GINKGO_NOTIFY_EMAIL_TO"),
    ],
)
def test_incomplete_sink_settings_are_refused(overrides, complaint):
    with pytest.raises(ValueError, match=complaint):
        NotifyConfig(**overrides)
