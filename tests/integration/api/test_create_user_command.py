"""Upstream: (entry point: pytest)
Downstream: (none)
Role: `manage.py create_user NAME --role ROLE [--password P]` creates or updates a user with one role and prints a working token; a weak password is refused in one line."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _create_user(*args: str) -> str:
    out = StringIO()
    call_command("create_user", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_prints_a_token_that_authenticates_with_the_role():
    token = _create_user("ada", "--role", "viewer")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.get("/api/portfolio/").status_code == 200
    assert client.post("/api/engine/stop").status_code == 403


def test_the_password_opens_the_admin():
    _create_user("ada", "--role", "developer", "--password", "s3cret-pass")

    # Through the admin's form: django-axes checks every login that comes with a request.
    response = Client().post("/admin/login/", {"username": "ada", "password": "s3cret-pass"})

    assert response.status_code == 302, response.content
    assert User.objects.get(username="ada").is_staff


@pytest.mark.parametrize("password", ["a", "12345678901", "password123", "ada-lovelace"])
def test_a_weak_password_is_refused_in_one_line_and_nothing_is_saved(password):
    with pytest.raises(CommandError) as refused:
        _create_user("ada-lovelace", "--role", "developer", "--password", password)

    assert str(refused.value).startswith("password refused: ")
    assert "\n" not in str(refused.value)
    assert not User.objects.filter(username="ada-lovelace").exists()


def test_a_weak_password_leaves_an_existing_users_password_as_it_was():
    _create_user("ada", "--role", "developer", "--password", "s3cret-pass")

    with pytest.raises(CommandError):
        _create_user("ada", "--role", "developer", "--password", "a")

    assert User.objects.get(username="ada").check_password("s3cret-pass")


def test_running_it_again_replaces_the_role_and_keeps_the_token():
    first = _create_user("ada", "--role", "viewer")

    second = _create_user("ada", "--role", "trader")

    assert second == first
    assert list(User.objects.get(username="ada").groups.values_list("name", flat=True)) == [
        "trader"
    ]


def test_an_unknown_role_is_refused():
    with pytest.raises(CommandError):
        call_command("create_user", "ada", "--role", "wizard", stdout=StringIO())


def test_migrations_create_the_four_roles_as_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "admin",
        "developer",
        "trader",
        "viewer",
    }
