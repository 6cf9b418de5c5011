"""Upstream: (pytest, via `-p ginkgo_site.devstack.pytest_plugin` in pyproject addopts)
Downstream: (none)
Role: points the test suite at the machine's PostgreSQL, never at a running `make run` stack, before Django loads its settings.

pytest-django imports the settings before any conftest runs, so the default must be set by a
plugin that pytest imports first. An explicit DATABASE_URL always wins.
"""

import os

MACHINE_DATABASE_URL = "postgres://root@127.0.0.1:5432/test"

os.environ.setdefault("DATABASE_URL", MACHINE_DATABASE_URL)
# A developer's `make run` in this checkout writes var/stack.env; tests bring their own services.
os.environ["GINKGO_STACK_ENV"] = ""
