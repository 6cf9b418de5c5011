"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.process, ginkgo_site.devstack.supervisor
Role: the supervisor restarts a crashed process or embedded service with backoff, leaves one that stopped on purpose, and stops the stack on a crash loop (real child processes)."""

import io
import subprocess
import sys
import threading
import time

from ginkgo_site.devstack.process import ServiceHandle
from ginkgo_site.devstack.supervisor import ProcessSpec, RestartPolicy, Supervisor

FAST = RestartPolicy(initial=0.05, ceiling=0.2, stable=60.0, loop_crashes=3, loop_window=60.0)


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def _until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def _run(supervisor: Supervisor) -> tuple[threading.Thread, list[int]]:
    """wait() on a thread, as the launcher's main thread would; stopped by request_stop()."""
    status: list[int] = []
    thread = threading.Thread(target=lambda: status.append(supervisor.wait()), daemon=True)
    thread.start()
    return thread, status


def test_a_killed_process_is_restarted_and_one_stopped_on_purpose_is_not():
    out = io.StringIO()
    supervisor = Supervisor(out=out, policy=FAST)
    crashing = supervisor.start(ProcessSpec("livecore", _python("import time; time.sleep(60)")))
    supervisor.start(ProcessSpec("node-1", _python("pass")))
    first_pid = crashing.process.pid
    thread, status = _run(supervisor)
    try:
        crashing.process.kill()
        _until(lambda: crashing.process.pid != first_pid and crashing.process.poll() is None)
        _until(lambda: "node-1 exited with status 0" in out.getvalue())
    finally:
        supervisor.request_stop()
        thread.join(10)
        supervisor.stop_all()
    text = out.getvalue()
    assert "livecore crashed (status -9); restarting in 0.05s" in text
    assert f"livecore restarted, pid {crashing.process.pid}" in text
    assert "node-1 restarted" not in text
    assert status == [0]


def test_a_crash_loop_stops_the_stack_with_a_failure_status():
    out = io.StringIO()
    supervisor = Supervisor(out=out, policy=FAST)
    supervisor.start(ProcessSpec("beat", _python("raise SystemExit(3)")))
    thread, status = _run(supervisor)
    thread.join(30)
    supervisor.stop_all()

    assert status == [3]
    assert "beat crashed 4 times in a row: stopping the stack" in out.getvalue()
    assert out.getvalue().count("beat restarted") == 3


def test_backoff_doubles_up_to_the_ceiling_and_a_stable_run_forgives():
    policy = RestartPolicy(initial=1.0, ceiling=30.0)
    assert [policy.delay(n) for n in (1, 2, 3, 5, 6, 9)] == [1.0, 2.0, 4.0, 16.0, 30.0, 30.0]


def test_an_embedded_service_that_dies_is_started_again_and_its_follow_up_runs():
    out = io.StringIO()
    supervisor = Supervisor(out=out, policy=FAST)
    started: list[subprocess.Popen[bytes]] = []
    follow_ups: list[int] = []

    def start() -> ServiceHandle:
        process = subprocess.Popen(_python("import time; time.sleep(60)"), start_new_session=True)
        started.append(process)
        return ServiceHandle("kafka", "127.0.0.1:1", process)

    supervisor.adopt(start(), restart=start, then=lambda: follow_ups.append(len(started)))
    thread, _ = _run(supervisor)
    try:
        started[0].kill()
        _until(lambda: follow_ups == [2])
    finally:
        supervisor.request_stop()
        thread.join(10)
        supervisor.stop_all()
    assert "kafka (embedded) exited with status -9; restarting" in out.getvalue()
    assert all(p.poll() is not None for p in started), "stop_all stops the service"
