"""Upstream: trading.management.commands.create_user, trading.services.demo
Downstream: trading.permissions
Role: API users: create or update one with exactly one role and a password that passes the validators, and give back its API token."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from rest_framework.authtoken.models import Token

from trading.permissions import ROLE_PERMISSIONS


def user_upsert(
    *, username: str, role: str, password: str | None = None
) -> tuple[AbstractUser, str]:
    """The user named ``username`` with ``role`` as its only role, and its API token.

    A new user without a password cannot log in to the admin (tokens still work). Every role
    may open the admin, which shows each role only what it may see. A password must pass the
    AUTH_PASSWORD_VALIDATORS (django.core.exceptions.ValidationError, nothing saved).
    """
    if role not in ROLE_PERMISSIONS:
        raise ValueError(f"unknown role {role!r} (known: {', '.join(sorted(ROLE_PERMISSIONS))})")
    with transaction.atomic():
        user, created = get_user_model().objects.get_or_create(username=username)
        if password is not None:
            validate_password(password, user)
            user.set_password(password)
        elif created:
            user.set_unusable_password()
        user.is_staff = True
        user.save()
        others = Group.objects.filter(name__in=ROLE_PERMISSIONS).exclude(name=role)
        user.groups.remove(*others)
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        token, _ = Token.objects.get_or_create(user=user)
    return user, token.key
