"""Upstream: ginkgo_site.devstack.launcher, ginkgo_site.settings
Downstream: ginkgo_site.secret_files
Role: var/stack.env: the service URLs of the running `make run` stack, written by its launcher and read by every other command of the project.

A line per variable (``NAME=value``) plus ``GINKGO_STACK_PID``, the launcher's pid: a file
left behind by a launcher that was killed is ignored, so a command never talks to services
that are gone. Imported by the settings, so it imports nothing of Django and of the project only the
settings-safe ginkgo_site.secret_files.
"""

import os
from collections.abc import Mapping
from pathlib import Path

from ginkgo_site.secret_files import secret_write

PID_KEY = "GINKGO_STACK_PID"


def stack_env_write(path: Path, values: Mapping[str, str]) -> None:
    """Write ``values`` and this process's pid to ``path`` (atomically, readable by its owner
    only: a given service URL may carry a password)."""
    lines = [f"# The running make run stack (pid {os.getpid()}); removed when it stops."]
    lines += [f"{key}={value}" for key, value in {**values, PID_KEY: str(os.getpid())}.items()]
    secret_write(path, "\n".join(lines) + "\n")


def stack_env_load(path: Path) -> None:
    """Give this process the variables of ``path`` that its environment does not set."""
    for name, value in stack_env_read(path).items():
        os.environ.setdefault(name, value)


def stack_env_read(path: Path) -> dict[str, str]:
    """The variables of ``path``, or none when it is missing or its launcher is not running."""
    try:
        text = path.read_text()
    except OSError:
        return {}
    values = dict(
        line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#")
    )
    return values if _alive(values.pop(PID_KEY, "")) else {}


def _alive(pid: str) -> bool:
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but another user's
        return True
    return True
