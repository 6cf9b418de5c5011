"""Upstream: bench.scratch, ginkgo_site.devstack.launcher, ginkgo_site.devstack.pytest_plugin, ginkgo_site.settings, ginkgo_site.stack_env
Downstream: (none)
Role: files that hold secrets (the generated SECRET_KEY, the demo token, var/stack.env): written readable by their owner only (0600), read back by the settings.

Imported by the settings, so it imports nothing of the project or Django.
"""

import os
import secrets
from pathlib import Path

# The SECRET_KEY `make run` generates once and every process of the project reads (in var/).
SECRET_KEY_FILE = "secret-key"
OWNER_ONLY = 0o600


def secret_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode 0600, atomically: readers never see half, and no
    moment exists when the file is readable by anyone but its owner."""
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OWNER_ONLY)
    with os.fdopen(descriptor, "w") as handle:
        # A partial file left by an earlier crash keeps its old mode through O_CREAT.
        os.fchmod(handle.fileno(), OWNER_ONLY)
        handle.write(text)
    partial.replace(path)


def secret_read(path: Path) -> str:
    """The secret in ``path`` without surrounding blanks; empty when there is no such file."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        return ""


def secret_key_generate() -> str:
    """A new random Django SECRET_KEY (long and varied enough for `check --deploy`)."""
    return secrets.token_urlsafe(50)


def secret_key_ensure(path: Path) -> None:
    """Give ``path`` a random Django SECRET_KEY unless it has one (kept across runs, so
    sessions survive a restart)."""
    if not secret_read(path):
        secret_write(path, secret_key_generate() + "\n")
