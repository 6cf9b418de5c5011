"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack
Role: the `make run` launcher brings the stack up with embedded defaults and Ctrl+C leaves nothing."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from ginkgo_site.devstack import free_port

ROOT = Path(__file__).resolve().parents[2]
SERVICE_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "KAFKA_BOOTSTRAP_SERVERS",
    "CLICKHOUSE_URL",
    "CELERY_BROKER_URL",
)

pytestmark = pytest.mark.slow


def _launcher_env(var: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in SERVICE_VARS and k != "DJANGO_SETTINGS_MODULE"
    }
    return {**env, "GINKGO_VAR_DIR": str(var), **extra}


def _health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5) as response:
            return json.load(response)
    except OSError:
        return None


def _wait_ready(launcher: subprocess.Popen, port: int, deadline: float) -> dict:
    while time.monotonic() < deadline:
        assert launcher.poll() is None, "launcher exited early"
        body = _health(port)
        if body and body["ready"]:
            return body
        time.sleep(0.5)
    raise AssertionError("the stack did not become ready in time")


def test_make_run_comes_up_with_embedded_services_and_ctrl_c_stops_everything(tmp_path):
    port = free_port()
    launcher = subprocess.Popen(
        [sys.executable, "-m", "ginkgo_site.devstack.launcher", "--port", str(port)],
        cwd=ROOT,
        env=_launcher_env(tmp_path / "var"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    started = time.monotonic()
    try:
        body = _wait_ready(launcher, port, started + 120)
        print(f"stack ready in {time.monotonic() - started:.1f}s")
        family = psutil.Process(launcher.pid).children(recursive=True)

        assert {name: s["ok"] for name, s in body["services"].items()} == {
            "database": True,
            "redis": True,
            "kafka": True,
            "clickhouse": None,
        }
        assert body["services"]["database"]["where"].startswith("sqlite3:")
        names = {" ".join(p.cmdline()) for p in family}
        assert any("gunicorn" in n for n in names)
        assert any("beat" in n for n in names) and any("worker" in n for n in names)
        assert any("tansu" in n for n in names) and any("redis-server" in n for n in names)

        launcher.send_signal(signal.SIGINT)
        output, _ = launcher.communicate(timeout=60)
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.communicate()

    assert "Ginkgo Live is up" in output
    assert f"http://127.0.0.1:{port}/admin/" in output
    assert launcher.returncode == 0
    _, alive = psutil.wait_procs(family, timeout=5)
    assert not alive, f"left running: {[p.pid for p in alive]}"


def test_configured_but_unreachable_service_stops_the_launch_with_one_line(tmp_path):
    dead = f"127.0.0.1:{free_port()}"

    done = subprocess.run(
        [sys.executable, "-m", "ginkgo_site.devstack.launcher", "--port", str(free_port())],
        cwd=ROOT,
        env=_launcher_env(
            tmp_path / "var", KAFKA_BOOTSTRAP_SERVERS=dead, REDIS_URL="redis://127.0.0.1:6379/15"
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and dead in errors[0] and "kafka" in errors[0]
