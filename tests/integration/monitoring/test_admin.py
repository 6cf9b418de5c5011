"""Upstream: (entry point: pytest)
Downstream: monitoring.models, tests.integration.api.factories
Role: the admin shows stored notices read-only to the roles that may read them."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from monitoring.models import Notice
from tests.integration.api.factories import make_user

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/monitoring/notice/"


def test_a_viewer_lists_notices_in_the_admin_but_cannot_change_them():
    at = datetime.now(UTC)
    notice = Notice.objects.create(
        kind="risk.kill_switch",
        level="critical",
        portfolio_id="P1",
        message="daily loss limit hit",
        count=4,
        first_seen=at,
        last_seen=at,
        last_event_ns=0,
    )
    client = Client()
    client.force_login(make_user("viewer")[0])

    listed = client.get(f"{CHANGELIST}?level__exact=critical")
    detail = client.get(f"{CHANGELIST}{notice.pk}/change/")
    deleted = client.post(f"{CHANGELIST}{notice.pk}/delete/", {"post": "yes"})

    assert listed.status_code == 200
    assert b"daily loss limit hit" in listed.content
    assert detail.status_code == 200 and b"Save" not in detail.content
    assert deleted.status_code == 403
    assert Notice.objects.filter(pk=notice.pk).exists()
