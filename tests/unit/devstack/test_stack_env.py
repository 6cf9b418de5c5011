"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.launcher, ginkgo_site.stack_env
Role: var/stack.env round-trips the stack's service URLs (readable by its owner only), is ignored once its launcher is gone, and never overrides the process environment."""

import os
import subprocess
import sys

from ginkgo_site.devstack.launcher import Service, service_env, stack_env_values
from ginkgo_site.stack_env import PID_KEY, stack_env_load, stack_env_read, stack_env_write

URLS = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5999/ginkgo", "REDIS_URL": "redis://x/0"}


def test_what_the_launcher_writes_is_what_a_command_reads(tmp_path):
    path = tmp_path / "stack.env"
    stack_env_write(path, URLS)

    assert stack_env_read(path) == URLS
    assert f"{PID_KEY}={os.getpid()}" in path.read_text()
    assert path.stat().st_mode & 0o777 == 0o600  # a given URL may carry a password


def test_a_file_left_by_a_killed_launcher_is_ignored(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    path = tmp_path / "stack.env"
    path.write_text(f"DATABASE_URL=postgres://gone/ginkgo\n{PID_KEY}={dead}\n")

    assert stack_env_read(path) == {}
    assert stack_env_read(tmp_path / "missing.env") == {}


def test_the_process_environment_wins_over_the_file(tmp_path, monkeypatch):
    path = tmp_path / "stack.env"
    stack_env_write(path, URLS)
    monkeypatch.setenv("DATABASE_URL", "postgres://mine/db")
    monkeypatch.delenv("REDIS_URL", raising=False)

    stack_env_load(path)

    assert os.environ["DATABASE_URL"] == "postgres://mine/db"
    assert os.environ["REDIS_URL"] == "redis://x/0"


def test_the_file_names_every_service_the_stack_uses_and_nothing_else():
    services = [
        Service("database", URLS["DATABASE_URL"], "embedded, pid 1"),
        Service("redis", URLS["REDIS_URL"], "given"),
        Service("kafka", "127.0.0.1:9093", "embedded, pid 2"),
        Service("clickhouse", "", "off"),
    ]
    env = service_env(services, {"PATH": "/bin", "GINKGO_REDIS_PREFIX": "p:"})

    assert stack_env_values(env) == {
        **URLS,
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9093",
        "CELERY_BROKER_URL": URLS["REDIS_URL"],
        "GINKGO_REDIS_PREFIX": "p:",
    }
