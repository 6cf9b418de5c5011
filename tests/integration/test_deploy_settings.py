"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.secret_files
Role: the settings refuse DEBUG off with the public dev SECRET_KEY (make run's generated key and DEBUG runs start), and `check --deploy` is clean with docker-compose.yml's environment."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ginkgo_site.secret_files import SECRET_KEY_FILE, secret_key_ensure, secret_key_generate

ROOT = Path(__file__).resolve().parents[2]
REFUSAL = "refusing to run with DEBUG off and the public dev SECRET_KEY"
# ${NAME}, ${NAME:-default}, ${NAME:?error}: the substitutions docker-compose.yml uses.
COMPOSE_VARIABLE = re.compile(r"\$\{(\w+)(?::([-?])([^}]*))?\}")


def _manage(tmp_path: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """manage.py in a process of its own, with only ``env`` of the Django variables."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GINKGO_"))}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *argv],
        env={**base, "GINKGO_STACK_ENV": "", "GINKGO_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_debug_off_with_the_dev_key_is_refused_in_one_clear_line(tmp_path):
    done = _manage(tmp_path, "check")

    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert REFUSAL in last
    assert "DJANGO_SECRET_KEY" in last


def test_the_key_make_run_keeps_in_var_is_used(tmp_path):
    secret_key_ensure(tmp_path / SECRET_KEY_FILE)

    done = _manage(tmp_path, "check")

    assert done.returncode == 0, done.stderr
    assert (tmp_path / SECRET_KEY_FILE).stat().st_mode & 0o777 == 0o600


def test_a_debug_run_may_use_the_dev_key(tmp_path):
    done = _manage(tmp_path, "check", DJANGO_DEBUG="true")

    assert done.returncode == 0, done.stderr


def _compose_env(service: str, dotenv: dict[str, str]) -> dict[str, str]:
    """The environment docker compose gives ``service``, with ``dotenv`` as the user's .env."""

    def substitute(match: re.Match[str]) -> str:
        name, kind, word = match.groups()
        value = dotenv.get(name, "")
        if kind == "?" and not value:
            pytest.fail(f"compose refuses to start without {name}: {word}")
        return value or (word if kind == "-" else "")

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = compose["services"][service]["environment"]
    return {
        name: COMPOSE_VARIABLE.sub(substitute, str(value)) for name, value in environment.items()
    }


def test_check_deploy_is_clean_with_the_compose_settings(tmp_path):
    dotenv = {  # what .env.example asks the user to fill
        "DJANGO_SECRET_KEY": secret_key_generate(),
        "DJANGO_ALLOWED_HOSTS": "trading.example.com",
        "POSTGRES_PASSWORD": secrets.token_hex(16),
        "GINKGO_METRICS_TOKEN": secrets.token_urlsafe(32),
    }

    done = _manage(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", **_compose_env("api", dotenv)
    )

    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout
