"""Upstream: (pytest, via `-p ginkgo_site.devstack.pytest_plugin` in pyproject addopts)
Downstream: ginkgo_site.secret_files
Role: before Django loads its settings: points the test suite at the machine's PostgreSQL (never at a running `make run` stack) and gives it a SECRET_KEY of its own.

pytest-django imports the settings before any conftest runs, so the default must be set by a
plugin that pytest imports first. An explicit DATABASE_URL always wins.
"""

import os

from ginkgo_site.secret_files import secret_key_generate

MACHINE_DATABASE_URL = "postgres://root@127.0.0.1:5432/test"

os.environ.setdefault("DATABASE_URL", MACHINE_DATABASE_URL)
# Tests run with DEBUG off, as Django's test runner does, so they need a real key: one per
# session, inherited by the processes the e2e tests start.
os.environ.setdefault("DJANGO_SECRET_KEY", secret_key_generate())
# A developer's `make run` in this checkout writes var/stack.env; tests bring their own services.
os.environ["GINKGO_STACK_ENV"] = ""
