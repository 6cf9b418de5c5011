"""Upstream: ginkgo_site.devstack.launcher
Downstream: ginkgo_site.devstack.process
Role: runs the stack's processes as one foreground group: prefixed output, stop-all on Ctrl+C."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TextIO

from ginkgo_site.devstack.process import die_with_parent

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
COLOURS = (36, 33, 32, 35, 34, 31, 96, 93, 92, 95)


@dataclass(frozen=True)
class ProcessSpec:
    """One supervised process. A critical one that exits takes the whole stack down with it;
    a non-critical one (an execution node, which the demo kills on purpose) is only reported."""

    name: str
    argv: list[str]
    critical: bool = True
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Running:
    spec: ProcessSpec
    process: subprocess.Popen[bytes]
    reported: bool = False


class Supervisor:
    def __init__(self, base_env: Mapping[str, str], out: TextIO = sys.stdout) -> None:
        self._env = dict(base_env)
        self._out = out
        self._lock = threading.Lock()
        self._running: list[Running] = []
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

    def _pump(self, running: Running, index: int) -> None:
        assert running.process.stdout is not None
        for raw in iter(running.process.stdout.readline, b""):
            self._write(running.spec.name, index, raw.decode(errors="replace").rstrip())

    def start(self, spec: ProcessSpec) -> Running:
        self._width = max(self._width, len(spec.name))
        process = subprocess.Popen(
            spec.argv,
            env={**self._env, **spec.env, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Own session: Ctrl+C reaches only us, and we stop children in a known order.
            start_new_session=True,
            preexec_fn=die_with_parent(),
        )
        running = Running(spec, process)
        self._running.append(running)
        threading.Thread(
            target=self._pump, args=(running, len(self._running) - 1), daemon=True
        ).start()
        return running

    @property
    def processes(self) -> list[Running]:
        return list(self._running)

    def request_stop(self, *_: object) -> None:
        self._stop.set()

    def wait(self) -> int:
        """Block until a stop signal or a critical process exit; return the exit status."""
        for sig in STOP_SIGNALS:
            signal.signal(sig, self.request_stop)
        status = 0
        while not self._stop.wait(0.2):
            for running in self._running:
                code = running.process.poll()
                if code is None or running.reported:
                    continue
                running.reported = True
                self._write("stack", 0, f"{running.spec.name} exited with status {code}")
                if running.spec.critical:
                    status = code or 1
                    self._stop.set()
        return status

    def stop_all(self, timeout: float = 15.0) -> None:
        """SIGTERM every process group, wait, then SIGKILL what is left: nothing survives."""
        alive = [r for r in self._running if r.process.poll() is None]
        for running in reversed(alive):
            self._signal_group(running, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for running in alive:
            try:
                running.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._write("stack", 0, f"{running.spec.name} did not stop in time: killing it")
        for running in self._running:
            # Also catches grandchildren (gunicorn or celery workers) left in the group.
            self._signal_group(running, signal.SIGKILL)
            running.process.wait()

    @staticmethod
    def _signal_group(running: Running, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(running.process.pid, sig)
