"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack, tests.e2e.test_make_run
Role: a second `make run` on the same var/ carries on: the banner says where the replay resumes and the demo trades again, later in market time, within 60 s of ready."""

import re
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pytest

from ginkgo_site.devstack import free_port
from tests.e2e.test_make_run import DEMO, ROOT, _all, _launcher_env, _Output, _wait_ready

pytestmark = pytest.mark.slow
# How far (in market time) the first run trades before it is stopped: far enough that a
# restart replaying from 2010-01-04 again (portfolios skip the bars they saw, one a second)
# could not trade within the minute the test allows.
FIRST_RUN_UNTIL = date(2010, 5, 3)


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


def test_a_second_make_run_on_the_same_var_trades_again_within_a_minute_of_ready(tmp_path):
    var = tmp_path / "var"
    first = Launcher(var)
    try:
        started = first.ready(var, timeout=180)
        reached = first.new_fills(set(), FIRST_RUN_UNTIL, started + 300)
        assert reached, f"the first run never traded on {FIRST_RUN_UNTIL} or later"
        before = first.fills()
        assert first.interrupt() == 0
    finally:
        first.kill()

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
    assert "replay: 4 symbols, 2010-01-04 .. 2013-" in first.output.text()
    assert "resuming" not in first.output.text()
    resuming = re.search(r"; resuming at (\d{4}-\d{2}-\d{2})$", text, re.MULTILINE)
    assert resuming, text[-3000:]
    # The first run's fills came at bars it published: the replay resumes after them.
    assert date.fromisoformat(resuming.group(1)) > _latest(before) >= FIRST_RUN_UNTIL
    # New trading on later bars, not a replay of what the first run traded on.
    assert _latest(after) > _latest(known)
