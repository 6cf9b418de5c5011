"""Upstream: ginkgo_site.devstack, ginkgo_site.devstack.clickhouse, ginkgo_site.devstack.postgres, ginkgo_site.devstack.redis_server, ginkgo_site.devstack.supervisor, ginkgo_site.devstack.tansu
Downstream: ginkgo_site.devstack.errors
Role: spawns a service process bound to its parent's life, waits until it answers, stops it."""

import contextlib
import ctypes
import os
import pwd
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ginkgo_site.devstack.errors import ServiceUnreachable

_PR_SET_PDEATHSIG = 1
_POLL_INTERVAL = 0.05
_LOG_TAIL_LINES = 5
_LOG_TAIL_CHARS = 600


@dataclass
class ServiceHandle:
    """A running service: ``url`` is the value for its environment variable."""

    name: str
    url: str
    process: subprocess.Popen[bytes] | None  # None when the service was given externally

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is not None:
            stop_process(self.process, timeout)


def start_service(
    name: str,
    url: str,
    address: str,
    argv: Sequence[str],
    workdir: Path,
    probe: Callable[[], object],
    timeout: float,
    user: str | None = None,
) -> ServiceHandle:
    """Spawns ``argv`` (output to ``workdir/<name>.log``; as the system ``user`` if given) and
    returns once ``probe`` succeeds.

    ``probe`` raises ServiceUnreachable while the service is not ready yet.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / f"{name}.log"
    process = _spawn(argv, workdir, log_path, user)
    try:
        _wait_until_ready(name, address, process, probe, log_path, timeout)
    except BaseException:
        # Also on Ctrl-C: a half-started broker must not outlive the caller.
        stop_process(process)
        raise
    return ServiceHandle(name, url, process)


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM the process group, wait up to ``timeout``, then SIGKILL it."""
    if process.poll() is not None:
        return
    _signal_group(process, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        process.wait()


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    # start_new_session made the service a group leader; the group catches any helpers it forked.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def _spawn(
    argv: Sequence[str], workdir: Path, log_path: Path, user: str | None
) -> subprocess.Popen[bytes]:
    with log_path.open("ab") as log:
        return subprocess.Popen(
            argv,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Own session: Ctrl-C in the parent's terminal reaches the parent, which stops us.
            start_new_session=True,
            # Python switches user before calling it, so the death signal survives the switch.
            preexec_fn=die_with_parent(),
            **as_user(user),
        )


def as_user(user: str | None) -> dict[str, Any]:
    """Popen arguments running the child as ``user`` (None: as this process), with that user's
    group and none of ours: with root's group, a root-owned 0701 directory stays closed."""
    if user is None:
        return {}
    return {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []}


def die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn asking Linux to SIGTERM the child when the parent dies (no orphan brokers).

    None elsewhere (Popen's "no preexec_fn"). The kernel fires the signal when the *thread*
    that forked exits, so spawn from a long-lived thread.
    """
    if sys.platform != "linux":
        return None
    # Resolved in the parent: loading libraries between fork and exec is not safe.
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


def _wait_until_ready(
    name: str,
    address: str,
    process: subprocess.Popen[bytes],
    probe: Callable[[], object],
    log_path: Path,
    timeout: float,
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        code = process.poll()
        if code is not None:
            raise ServiceUnreachable(
                name, address, f"exited with code {code} while starting; {_log_tail(log_path)}"
            )
        try:
            probe()
        except ServiceUnreachable as exc:
            if time.monotonic() >= deadline:
                raise ServiceUnreachable(
                    name,
                    address,
                    f"not ready after {timeout:g}s ({exc.reason}); {_log_tail(log_path)}",
                ) from exc
            time.sleep(_POLL_INTERVAL)
        else:
            return


def _log_tail(log_path: Path) -> str:
    lines = [line.strip() for line in log_path.read_text(errors="replace").splitlines()]
    tail = " | ".join([line for line in lines if line][-_LOG_TAIL_LINES:])[-_LOG_TAIL_CHARS:]
    return f"log {log_path} tail: {tail or '(empty)'}"
