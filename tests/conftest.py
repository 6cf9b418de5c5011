"""Upstream: (entry point: pytest)
Downstream: (none)
Role: gives this session's PostgreSQL test database a name of its own, and picks the Hypothesis profile (CI: derandomized).

The database itself is chosen before Django loads (ginkgo_site.devstack.pytest_plugin). Unit
tests never ask for the ``db`` fixture, so they run with no service at all; pytest-django
creates (and drops) its own test database only for the tests that do.
"""

import os

from django.conf import settings
from hypothesis import settings as hypothesis_settings

# Property tests explore new random cases on every developer run; CI (.ci/run sets
# HYPOTHESIS_PROFILE=ci) runs a fixed set, so a verdict never depends on the draw.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def _unique_test_database_name() -> None:
    database = settings.DATABASES["default"]
    test = database.setdefault("TEST", {})
    if database["ENGINE"].endswith("postgresql") and not test.get("NAME"):
        # Several sessions (developers, CI jobs) share the machine's server; with Django's
        # fixed test_<name> one session's set-up would drop another's database mid-run.
        test["NAME"] = f"test_{database['NAME']}_{os.getpid()}"


_unique_test_database_name()
