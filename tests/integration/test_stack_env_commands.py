"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack, ginkgo_site.secret_files, ginkgo_site.stack_env
Role: a manage.py command started with no service variables finds the services in var/stack.env, and one whose service is away fails within 5 s with one line naming it (no librdkafka flood)."""

import os
import subprocess
import sys
import time
from pathlib import Path

from ginkgo_site.devstack import free_port
from ginkgo_site.secret_files import SECRET_KEY_FILE, secret_key_ensure
from ginkgo_site.stack_env import stack_env_write

ROOT = Path(__file__).resolve().parents[2]


def _manage_in_new_terminal(var: Path, *argv: str) -> tuple[subprocess.CompletedProcess, float]:
    """manage.py as a person runs it in a new terminal: no service variables, only var/
    (where the launcher keeps the stack's secret key too)."""
    secret_key_ensure(var / SECRET_KEY_FILE)
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"),
           "GINKGO_VAR_DIR": str(var)}  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "manage.py", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done, time.monotonic() - started


def test_a_command_uses_the_services_the_running_stack_names(tmp_path, kafka_bootstrap):
    # This test's process stands for the launcher: the file names its pid.
    stack_env_write(tmp_path / "stack.env", {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap})

    done, _ = _manage_in_new_terminal(tmp_path, "kafka_topics", "--create")

    assert done.returncode == 0, done.stderr
    listed, _ = _manage_in_new_terminal(tmp_path, "kafka_topics", "--list")
    assert "ginkgo.live.market.data.us" in listed.stdout


def test_a_command_whose_service_is_away_fails_fast_with_one_line(tmp_path):
    dead = f"127.0.0.1:{free_port()}"
    stack_env_write(tmp_path / "stack.env", {"KAFKA_BOOTSTRAP_SERVERS": dead})

    done, seconds = _manage_in_new_terminal(tmp_path, "kafka_topics", "--list")

    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"CommandError: kafka at {dead} is unreachable")
    assert seconds < 5 * 3, seconds  # the limit is 5 s; a loaded machine starts Python slowly
