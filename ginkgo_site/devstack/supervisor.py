"""Upstream: ginkgo_site.devstack.launcher
Downstream: ginkgo_site.devstack.process
Role: runs the stack's processes and embedded services as one foreground group: prefixed output, a crashed one restarted with backoff (a crash loop stops the stack), stop-all on Ctrl+C."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TextIO

from ginkgo_site.devstack.process import ServiceHandle, die_with_parent

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
COLOURS = (36, 33, 32, 35, 34, 31, 96, 93, 92, 95)


@dataclass(frozen=True)
class ProcessSpec:
    """One supervised process."""

    name: str
    argv: list[str]
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RestartPolicy:
    """How a crash is answered, as an orchestrator would (compose's restart, systemd's
    Restart=on-failure): the first restart after ``initial`` seconds, each next one waiting
    twice as long up to ``ceiling``; a run of ``stable`` seconds forgives the earlier crashes.
    More than ``loop_crashes`` crashes of one process within ``loop_window`` seconds is a crash
    loop: the stack stops. A process that exits with status 0 was stopped on purpose (a node
    told to leave) and is not restarted."""

    initial: float = 1.0
    ceiling: float = 30.0
    stable: float = 60.0
    loop_crashes: int = 5
    loop_window: float = 300.0

    def delay(self, consecutive: int) -> float:
        return min(self.ceiling, self.initial * 2 ** max(0, consecutive - 1))


@dataclass
class _Crashes:
    """The crash history of one supervised thing."""

    times: deque[float] = field(default_factory=deque)
    consecutive: int = 0
    restart_at: float | None = None

    def record(self, now: float, started: float, policy: RestartPolicy) -> None:
        if now - started >= policy.stable:
            self.consecutive = 0
        self.consecutive += 1
        self.times.append(now)
        while self.times and now - self.times[0] > policy.loop_window:
            self.times.popleft()
        self.restart_at = now + policy.delay(self.consecutive)

    def looping(self, policy: RestartPolicy) -> bool:
        return len(self.times) > policy.loop_crashes


@dataclass
class Running:
    spec: ProcessSpec
    process: subprocess.Popen[bytes]
    index: int
    started: float = field(default_factory=time.monotonic)
    crashes: _Crashes = field(default_factory=_Crashes)
    done: bool = False  # exited on purpose, or given up on


@dataclass
class Service:
    """An embedded service (PostgreSQL, Redis, the broker): ``restart`` starts it again on the
    same port and data; ``then`` runs after a restart (the broker's topics, say)."""

    name: str
    handle: ServiceHandle
    restart: Callable[[], ServiceHandle]
    then: Callable[[], None] | None = None
    started: float = field(default_factory=time.monotonic)
    crashes: _Crashes = field(default_factory=_Crashes)


class Supervisor:
    def __init__(
        self,
        base_env: Mapping[str, str] | None = None,
        out: TextIO = sys.stdout,
        policy: RestartPolicy | None = None,
    ) -> None:
        self.env = dict(base_env or {})
        self._out = out
        self._policy = policy or RestartPolicy()
        self._lock = threading.Lock()
        self._running: list[Running] = []
        self._services: list[Service] = []
        self._stop = threading.Event()
        self._width = 8
        self._colour = out.isatty()

    def _write(self, name: str, index: int, text: str) -> None:
        label = name.ljust(self._width)
        if self._colour:
            label = f"\033[{COLOURS[index % len(COLOURS)]}m{label}\033[0m"
        with self._lock:
            self._out.write(f"{label} | {text}\n")
            self._out.flush()

    def _say(self, text: str) -> None:
        self._write("stack", 0, text)

    def _pump(self, name: str, process: subprocess.Popen[bytes], index: int) -> None:
        assert process.stdout is not None
        for raw in iter(process.stdout.readline, b""):
            self._write(name, index, raw.decode(errors="replace").rstrip())

    def _spawn(self, spec: ProcessSpec, index: int) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            spec.argv,
            env={**self.env, **spec.env, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Own session: Ctrl+C reaches only us, and we stop children in a known order.
            start_new_session=True,
            preexec_fn=die_with_parent(),
        )
        threading.Thread(target=self._pump, args=(spec.name, process, index), daemon=True).start()
        return process

    def start(self, spec: ProcessSpec) -> Running:
        self._width = max(self._width, len(spec.name))
        index = len(self._running)
        running = Running(spec, self._spawn(spec, index), index)
        self._running.append(running)
        return running

    def adopt(
        self,
        handle: ServiceHandle,
        restart: Callable[[], ServiceHandle],
        then: Callable[[], None] | None = None,
    ) -> None:
        """Watch an embedded service started elsewhere; stop_all stops it last."""
        self._services.append(Service(handle.name, handle, restart, then))

    @property
    def processes(self) -> list[Running]:
        return list(self._running)

    def request_stop(self, *_: object) -> None:
        self._stop.set()

    def wait(self) -> int:
        """Block until a stop signal or a crash loop, restarting what crashes; return the exit
        status (0 after a stop signal)."""
        if threading.current_thread() is threading.main_thread():  # else: request_stop()
            for sig in STOP_SIGNALS:
                signal.signal(sig, self.request_stop)
        status = 0
        while not self._stop.wait(0.2):
            for service in self._services:
                status = status or self._tend_service(service)
            for running in self._running:
                status = status or self._tend(running)
            if status:
                self._stop.set()
        return status

    def _crashed(self, name: str, what: str, crashes: _Crashes, started: float, code: int) -> int:
        """Count a crash (``what`` says how it ended) and announce the restart; a crash loop's
        status instead (else 0)."""
        now = time.monotonic()
        crashes.record(now, started, self._policy)
        if crashes.looping(self._policy):
            self._say(f"{name} crashed {len(crashes.times)} times in a row: stopping the stack")
            return code if code > 0 else 1
        self._say(
            f"{what}; restarting in {crashes.restart_at - now:g}s (crash {len(crashes.times)} "
            f"in {self._policy.loop_window:g}s)"
        )
        return 0

    def _tend(self, running: Running) -> int:
        """Notice a process's exit, restart it when due; a crash loop's status (else 0)."""
        if running.done:
            return 0
        name, crashes = running.spec.name, running.crashes
        if crashes.restart_at is None:
            code = running.process.poll()
            if code is None:
                return 0
            if code == 0:
                running.done = True
                self._say(f"{name} exited with status 0 (stopped on purpose): not restarted")
                return 0
            status = self._crashed(
                name, f"{name} crashed (status {code})", crashes, running.started, code
            )
            running.done = bool(status)
            return status
        if time.monotonic() >= crashes.restart_at:
            crashes.restart_at = None
            running.process = self._spawn(running.spec, running.index)
            running.started = time.monotonic()
            self._say(f"{name} restarted, pid {running.process.pid}")
        return 0

    def _tend_service(self, service: Service) -> int:
        """The same for an embedded service; restarting one waits until it answers, and a
        start that fails counts as one more crash."""
        name, crashes, process = service.name, service.crashes, service.handle.process
        if crashes.restart_at is None:
            code = process.poll() if process else None
            if code is None:
                return 0
            what = f"{name} (embedded) exited with status {code}"
            return self._crashed(name, what, crashes, service.started, code)
        if time.monotonic() < crashes.restart_at:
            return 0
        crashes.restart_at = None
        try:
            service.handle = service.restart()
            if service.then:
                service.then()
        except RuntimeError as exc:  # ServiceUnreachable, or what ``then`` raises
            return self._crashed(
                name, f"{name} did not come back ({exc})", crashes, service.started, 1
            )
        service.started = time.monotonic()
        pid = service.handle.process.pid if service.handle.process else "?"
        self._say(f"{name} (embedded) restarted, pid {pid}")
        return 0

    def stop_all(self, timeout: float = 15.0) -> None:
        """SIGTERM every process group, wait, then SIGKILL what is left: nothing survives.
        The embedded services stop last, so processes can finish their last writes."""
        alive = [r for r in self._running if r.process.poll() is None]
        for running in reversed(alive):
            self._signal_group(running, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for running in alive:
            try:
                running.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._say(f"{running.spec.name} did not stop in time: killing it")
        for running in self._running:
            # Also catches grandchildren (gunicorn or celery workers) left in the group.
            self._signal_group(running, signal.SIGKILL)
            running.process.wait()
        for service in reversed(self._services):
            service.handle.stop()

    @staticmethod
    def _signal_group(running: Running, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(running.process.pid, sig)
