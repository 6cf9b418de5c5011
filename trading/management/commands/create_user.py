"""Upstream: (entry point: python manage.py create_user)
Downstream: ginkgo_site.service_checks, trading.permissions, trading.services.users
Role: thin manage.py command: creates or updates a user with one role and prints the user's API token."""

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from ginkgo_site.service_checks import ServiceCommand
from trading.permissions import ROLE_PERMISSIONS
from trading.services.users import user_upsert


class Command(ServiceCommand):
    help = (
        "Create (or update) a user with a role (admin, developer, trader, viewer); print a token."
    )
    services = ("database",)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ROLE_PERMISSIONS))
        parser.add_argument("--password", help="set this password (default: keep / unusable)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user, token = user_upsert(
                username=options["username"], role=options["role"], password=options["password"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(f"password refused: {' '.join(exc.messages)}") from None
        self.stdout.write(token)
        self.stderr.write(f"{user.get_username()}: role {options['role']}")
