"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack, trading.services.demo
Role: `make run` brings the stack up with embedded defaults (PostgreSQL included), trades the demo on two nodes, answers a second terminal through var/stack.env, restarts what is killed, stops on Ctrl+C leaving nothing, and a second run on the same var/ carries the replay on."""

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO

import psutil
import pytest

from ginkgo_site.devstack import free_port
from trading.services.demo import DEMO_PORTFOLIOS

ROOT = Path(__file__).resolve().parents[2]
SERVICE_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "KAFKA_BOOTSTRAP_SERVERS",
    "CLICKHOUSE_URL",
    "CELERY_BROKER_URL",
    "GINKGO_STACK_ENV",
)

pytestmark = pytest.mark.slow
DEMO = tuple(DEMO_PORTFOLIOS)
# How long the demo runs before its scheduling runs are checked (the issue: 3 minutes).
DEMO_SECONDS = 180
# A restart must resume the replay after this market date at least (a restart replaying from
# 2010-01-04 again, skipping seen bars one a second, could not trade within the minute allowed).
FIRST_RUN_UNTIL = date(2010, 5, 3)
# kill -9'd one after the other (matched in their command lines); each must come back.
HEALED = ("run_livecore", "celery -A ginkgo_site beat", "celery -A ginkgo_site worker",
          "run_node --node-id node-1", "redis-server", "postgres -D")  # fmt: skip


def _launcher_env(var: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in SERVICE_VARS and k != "DJANGO_SETTINGS_MODULE"
    }
    return {**env, "GINKGO_VAR_DIR": str(var), **extra}


def _get(port: int, path: str, token: str | None = None) -> dict | None:
    headers = {"Authorization": f"Token {token}"} if token else {}
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.load(response)
    except OSError:
        return None


def _health(port: int) -> dict | None:
    return _get(port, "/api/health")


def _all(port: int, path: str, token: str) -> list[dict]:
    """Every item of a paginated list."""
    items, offset = [], 0
    while True:
        page = _get(port, f"{path}?limit=500&offset={offset}", token) or {
            "results": [],
            "next": None,
        }
        items += page["results"]
        if not page["next"]:
            return items
        offset += 500


def _fill_positions(fills: list[dict]) -> dict[str, Decimal]:
    positions: dict[str, Decimal] = {}
    for fill in fills:
        sign = 1 if fill["side"] == "buy" else -1
        positions[fill["symbol"]] = positions.get(fill["symbol"], Decimal(0)) + sign * Decimal(
            fill["quantity"]
        )
    return {symbol: qty for symbol, qty in positions.items() if qty}


def _demo_trading(port: int, token: str, deadline: float) -> dict[str, list[dict]]:
    """Waits until every demo portfolio runs on one of the two nodes and fills exist."""
    while time.monotonic() < deadline:
        plan = _get(port, "/api/schedule/plan", token) or {"nodes": []}
        placed = {p: n["node_id"] for n in plan["nodes"] for p in n["portfolio_ids"]}
        statuses = {
            p: (_get(port, f"/api/portfolio/{p}/status", token) or {}).get("live") or {}
            for p in DEMO
        }
        running = all(
            statuses[p].get("status") == "running" and placed.get(p) == statuses[p].get("node")
            for p in DEMO
        )
        fills = {p: _all(port, f"/api/portfolio/{p}/fills", token) for p in DEMO}
        if running and set(placed.values()) == {"node-1", "node-2"} and any(fills.values()):
            return fills
        time.sleep(1)
    raise AssertionError("the demo portfolios were not all running and trading in time")


def _positions_match_fills(port: int, token: str, portfolio_id: str, deadline: float) -> bool:
    """The stored positions equal what the stored fills imply (polled: a fill may be in flight)."""
    while time.monotonic() < deadline:
        fills = _all(port, f"/api/portfolio/{portfolio_id}/fills", token)
        report = _get(port, f"/api/portfolio/{portfolio_id}/positions", token) or {"positions": []}
        stored = {
            p["symbol"]: Decimal(p["quantity"])
            for p in report["positions"]
            if Decimal(p["quantity"])
        }
        if stored == _fill_positions(fills):
            return True
        time.sleep(0.5)
    return False


class _Output:
    """The launcher's output, read on a thread as it comes (so the pipe never fills)."""

    def __init__(self, stream: IO[str]) -> None:
        self._lines: list[str] = []
        self._reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._lines.append(line)

    def text(self) -> str:
        return "".join(self._lines)

    def rest(self, timeout: float) -> str:
        """Everything, once the launcher closed its output."""
        self._reader.join(timeout)
        return self.text()


def _node_routes(output: _Output, node_id: str, deadline: float) -> bool:
    """Whether the metrics URL the banner gives for ``node_id`` serves the updates it routes."""
    found = re.search(rf"^ {{4}}{node_id} +(http://\S+/metrics)$", output.text(), re.MULTILINE)
    assert found, f"no metrics URL for {node_id} in the banner"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(found.group(1), timeout=5) as response:
                text = response.read().decode()
        except OSError:
            text = ""
        if "ginkgo_portfolio_updates_routed_total{portfolio_id=" in text:
            return True
        time.sleep(0.5)
    return False


def _wait_ready(launcher: subprocess.Popen, port: int, deadline: float, output: _Output) -> dict:
    while time.monotonic() < deadline:
        assert launcher.poll() is None, f"launcher exited early: {output.rest(5)[-3000:]}"
        body = _health(port)
        if body and body["ready"]:
            return body
        time.sleep(0.5)
    raise AssertionError("the stack did not become ready in time")


def _command_lines(processes: list[psutil.Process]) -> set[str]:
    """The command lines of those still running (PostgreSQL's backends come and go)."""
    lines = set()
    for process in processes:
        try:
            lines.add(" ".join(process.cmdline()))
        except psutil.NoSuchProcess:
            continue
    return lines


def _total_fills(port: int, token: str) -> int:
    return sum(len(_all(port, f"/api/portfolio/{p}/fills", token)) for p in DEMO)


def _pids(launcher: subprocess.Popen, pattern: str) -> set[int]:
    """The launcher's descendants whose command line contains ``pattern``."""
    found = set()
    for process in psutil.Process(launcher.pid).children(recursive=True):
        try:
            if pattern in " ".join(process.cmdline()):
                found.add(process.pid)
        except psutil.NoSuchProcess:
            continue
    return found


def _heals_after_kill(
    launcher: subprocess.Popen, port: int, token: str, pattern: str, output: _Output
) -> None:
    """kill -9 what matches ``pattern``: the supervisor starts it again, and within 60 s of
    that the demo makes new fills."""
    victims = _pids(launcher, pattern)
    assert victims, f"nothing runs {pattern!r}"
    before = _total_fills(port, token)
    for pid in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while not (_pids(launcher, pattern) - victims):
        assert time.monotonic() < deadline, f"{pattern!r} not restarted: {_said(output)}"
        time.sleep(0.5)
    deadline = time.monotonic() + 60
    while _total_fills(port, token) <= before:
        assert launcher.poll() is None, f"the stack stopped after {pattern!r}: {_said(output)}"
        assert time.monotonic() < deadline, f"no new fill 60 s after {pattern!r}: {_said(output)}"
        time.sleep(1)
    assert "restarted, pid" in output.text()


def _said(output: _Output) -> str:
    """What the supervisor said (restarts, crashes), and the output's last lines."""
    lines = output.text().splitlines()
    return "\n".join([line for line in lines if line.startswith("stack ")] + lines[-40:])


def _docs_are_offline(port: int, token: str) -> None:
    """/api/docs/ and every asset it names answer 200, and the page names no other host."""
    headers = {"Authorization": f"Token {token}"}
    base = f"http://127.0.0.1:{port}"
    request = urllib.request.Request(f"{base}/api/docs/", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        html = response.read().decode()
    assert not re.findall(r"https?://(?!127\.0\.0\.1)[^\s\"'<>]+", html), "an outside host"
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any("swagger-ui" in a for a in assets), assets
    for asset in assets:
        with urllib.request.urlopen(f"{base}{asset}", timeout=10) as response:
            assert response.status == 200, asset


def _clean_env(var: Path) -> dict[str, str]:
    """What a new terminal in the project has: no service variables, only where var/ is (the
    test's stack keeps its var/ in a temporary directory, not the project's)."""
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"),
            "GINKGO_VAR_DIR": str(var)}  # fmt: skip


def _manage(var: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", *argv],
        cwd=ROOT,
        env=_clean_env(var),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _second_terminal_uses_the_stack(port: int, token: str, var: Path) -> None:
    """From a process that knows only the working directory (and var/), manage.py finds the
    running stack through var/stack.env: a migration moves a portfolio, node-3 joins."""
    plan = _get(port, "/api/schedule/plan", token) or {"nodes": []}
    source = next(n["node_id"] for n in plan["nodes"] if "demo.sma_aapl" in n["portfolio_ids"])
    target = "node-2" if source == "node-1" else "node-1"
    moved = _manage(var, "portfolio_migrate", "demo.sma_aapl", "--to", target)
    assert moved.returncode == 0, moved.stderr
    assert f"{source} -> {target}" in moved.stdout
    node = subprocess.Popen(
        [str(ROOT / ".venv/bin/python"), "manage.py", "run_node", "--node-id", "node-3"],
        cwd=ROOT,
        env=_clean_env(var),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            nodes = _all(port, "/api/nodes/", token)
            if any(n["node_id"] == "node-3" and n["alive"] for n in nodes):
                break
            time.sleep(1)
        else:
            raise AssertionError("node-3, started from a clean environment, did not join")
    finally:
        node.send_signal(signal.SIGINT)
        node.wait(timeout=60)


class Launcher:
    """`python -m ginkgo_site.devstack.launcher` on ``var`` with a clean environment."""

    def __init__(self, var: Path) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ginkgo_site.devstack.launcher", "--port", str(self.port)],
            cwd=ROOT,
            env=_launcher_env(var),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        self.output = _Output(self.process.stdout)
        self.token = ""

    def ready(self, var: Path, timeout: float) -> float:
        """Wait until the API says ready; returns when (monotonic)."""
        _wait_ready(self.process, self.port, time.monotonic() + timeout, self.output)
        self.token = (var / "demo-token").read_text().strip()
        return time.monotonic()

    def fills(self) -> dict[str, dict]:
        """Every fill of the demo portfolios, by fill id."""
        path = "/api/portfolio/{}/fills"
        return {f["fill_id"]: f for p in DEMO for f in _all(self.port, path.format(p), self.token)}

    def new_fills(self, known: set[str], since: date, deadline: float) -> dict[str, dict]:
        """Fills not in ``known`` executed on ``since`` or later (market time), once there
        are some (empty if none came by ``deadline``)."""
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"launcher exited: {self.output.text()[-3000:]}"
            fills = self.fills().items()
            if new := {i: f for i, f in fills if i not in known and _day(f) >= since}:
                return new
            time.sleep(1)
        return {}

    def interrupt(self) -> int:
        """Ctrl+C, and the launcher's exit status."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=90)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _day(fill: dict) -> date:
    return datetime.fromisoformat(fill["executed_at"]).date()


def _latest(fills: dict[str, dict]) -> date:
    return max(_day(f) for f in fills.values())


@pytest.fixture
def var() -> Iterator[Path]:
    """The launcher's var/, outside pytest's temporary tree: pytest keeps that tree 0700 and
    tightens it again whenever a session starts, while the embedded PostgreSQL (as root, a
    system user) must traverse to its data directory."""
    top = Path(tempfile.mkdtemp(prefix="ginkgo-e2e-"))
    yield top / "var"
    shutil.rmtree(top, ignore_errors=True)


def test_make_run_trades_the_demo_on_two_nodes_heals_and_a_restart_carries_on(var):
    first = Launcher(var)
    launcher, port, output = first.process, first.port, first.output
    try:
        started = time.monotonic()
        body = _wait_ready(launcher, port, started + 120, output)
        token = first.token = var.joinpath("demo-token").read_text().strip()
        fills = _demo_trading(port, token, time.monotonic() + 180)
        print(f"stack ready and trading after {time.monotonic() - started:.1f}s")
        family = psutil.Process(launcher.pid).children(recursive=True)

        assert {name: s["ok"] for name, s in body["services"].items()} == {
            "database": True,
            "redis": True,
            "kafka": True,
            "clickhouse": None,
        }
        # No DATABASE_URL: the launcher started the embedded PostgreSQL.
        assert body["services"]["database"]["where"].startswith("postgresql:")
        _docs_are_offline(port, token)
        assert sum(len(f) for f in fills.values()) >= 1
        for portfolio_id in DEMO:
            assert _positions_match_fills(port, token, portfolio_id, time.monotonic() + 20), (
                portfolio_id
            )
        names = _command_lines(family)
        for expected in (
            "gunicorn",
            "beat",
            "worker",
            "run_livecore",
            "run_notifications",
            "tansu",
            "redis-server",
            "postgres -D",
        ):
            assert any(expected in n for n in names), expected
        assert sum("run_node" in n for n in names) == 2
        assert _node_routes(output, "node-1", time.monotonic() + 20)
        _second_terminal_uses_the_stack(port, token, var)
        # Let the demo run a while: every scheduling run recorded meanwhile succeeded.
        while time.monotonic() < started + DEMO_SECONDS:
            assert launcher.poll() is None, "launcher exited early"
            time.sleep(2)
        runs = _all(port, "/api/schedule/runs", token)
        assert runs and not [r for r in runs if r["outcome"] not in ("ok", "skipped-locked")]
        for target in HEALED:
            _heals_after_kill(launcher, port, token, target, output)
        for portfolio_id in DEMO:
            fills = _all(port, f"/api/portfolio/{portfolio_id}/fills", token)
            orders = [fill["order"] for fill in fills]
            assert len(orders) == len(set(orders)), f"{portfolio_id}: an order executed twice"
            assert _positions_match_fills(port, token, portfolio_id, time.monotonic() + 20)
        before = first.fills()
        assert first.interrupt() == 0
    finally:
        first.kill()

    text = output.rest(timeout=10)
    assert "Ginkgo Live is up" in text
    assert f"http://127.0.0.1:{port}/dashboard/" in text
    assert f"API token {token}" in text
    assert "replay: 4 symbols, 2010-01-04 .. 2013-" in text
    assert "resuming" not in text
    _, alive = psutil.wait_procs(family, timeout=10)
    assert not alive, f"left running: {[p.pid for p in alive]}"
    _a_restart_carries_on(var, before)


def _a_restart_carries_on(var: Path, before: dict[str, dict]) -> None:
    """A second make run on the same var/ says where the replay resumes (after the bars the
    first run traded on) and trades again, later in market time, within 60 s of ready."""
    assert _latest(before) >= FIRST_RUN_UNTIL, "the first run did not get far enough"
    second = Launcher(var)
    try:
        ready = second.ready(var, timeout=180)
        known = second.fills()
        after = second.new_fills(set(known), date.min, ready + 60)
        took = time.monotonic() - ready
        assert second.interrupt() == 0
    finally:
        second.kill()
    text = second.output.rest(timeout=10)
    assert after, f"no new fill within 60 s of ready: {text[-3000:]}"
    print(f"second run: a new fill {took:.1f} s after ready")
    resuming = re.search(r"; resuming at (\d{4}-\d{2}-\d{2})$", text, re.MULTILINE)
    assert resuming, text[-3000:]
    # The first run's fills came at bars it published: the replay resumes after them.
    assert date.fromisoformat(resuming.group(1)) > _latest(before)
    # New trading on later bars, not a replay of what the first run traded on.
    assert _latest(after) > _latest(known)


def test_configured_but_unreachable_service_stops_the_launch_with_one_line(var):
    dead = f"127.0.0.1:{free_port()}"

    done = subprocess.run(
        [sys.executable, "-m", "ginkgo_site.devstack.launcher", "--port", str(free_port())],
        cwd=ROOT,
        env=_launcher_env(var, KAFKA_BOOTSTRAP_SERVERS=dead, REDIS_URL="redis://127.0.0.1:6379/15"),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and dead in errors[0] and "kafka" in errors[0]
