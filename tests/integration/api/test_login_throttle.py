"""Upstream: (entry point: pytest)
Downstream: tests.integration.api.factories
Role: the admin's login locks a username out from an address after a few failures (django-axes, attempts in PostgreSQL), tokens keep working, and the admin's password forms apply the validators."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.integration.api.factories import make_user

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "correct-horse-battery"
ATTACKER = "203.0.113.7"
OWNER = "198.51.100.20"


@pytest.fixture
def ada() -> str:
    """A user with a password and an API token; returns the token."""
    user, token = make_user("admin", username="ada")
    user.set_password(PASSWORD)
    user.save()
    return token


def _login(password: str, address: str = ATTACKER) -> int:
    response = Client(REMOTE_ADDR=address).post(LOGIN, {"username": "ada", "password": password})
    return response.status_code


def test_a_few_wrong_passwords_lock_the_right_one_out(ada):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit <= 10, "a small number of failures"

    failures = [_login(f"guess-{n}") for n in range(limit)]

    # A failed login shows the form again (200); past the limit even the right password
    # gets 429, and it never reaches the password hasher.
    assert failures[:-1] == [200] * (limit - 1)
    assert failures[-1] == 429
    assert _login(PASSWORD) == 429
    attempt = AccessAttempt.objects.get(username="ada", ip_address=ATTACKER)
    assert attempt.failures_since_start >= limit


def test_the_lockout_is_keyed_by_username_and_address(ada):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(f"guess-{n}")

    # The owner, from elsewhere, still logs in: the attacker cannot lock them out.
    assert _login(PASSWORD, address=OWNER) == 302
    assert _login(PASSWORD) == 429


def test_the_lockout_ends_after_the_cool_off(ada):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(f"guess-{n}")
    assert _login(PASSWORD) == 429

    cooled = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.filter(username="ada").update(attempt_time=cooled)

    assert _login(PASSWORD) == 302


def test_api_tokens_keep_working_while_the_login_is_locked(ada):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(f"guess-{n}")

    client = Client(REMOTE_ADDR=ATTACKER, HTTP_AUTHORIZATION=f"Token {ada}")

    assert client.get("/api/portfolio/").status_code == 200


def test_the_admins_add_user_form_refuses_a_weak_password():
    client = Client()
    client.force_login(User.objects.create_superuser("root", password=PASSWORD))

    response = client.post(
        "/admin/auth/user/add/",
        {"username": "bob", "usable_password": "true", "password1": "a", "password2": "a"},
    )

    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors.get("password2", []))
    assert "too short" in errors
    assert not User.objects.filter(username="bob").exists()
