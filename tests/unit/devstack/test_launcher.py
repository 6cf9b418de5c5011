"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.launcher, ginkgo_site.devstack.supervisor
Role: the `make run` launcher without starting anything: LiveCore, the notification service and each node get their own metrics port on the command line, and the banner lists every metrics URL."""

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ginkgo_site.devstack.launcher import (
    METRICS_PROCESSES,
    DemoLogin,
    Service,
    banner,
    metrics_ports,
    stack_processes,
)
from ginkgo_site.devstack.supervisor import ProcessSpec, Running

DEMO = DemoLogin(["/tmp/AAPL.csv"], "demo", "secret", "t0ken")
API_PORT = 8123
PORTS = {name: 40_000 + i for i, name in enumerate(METRICS_PROCESSES)}


def specs() -> dict[str, ProcessSpec]:
    return {s.name: s for s in stack_processes("python", API_PORT, Path("var"), DEMO, PORTS)}


def metrics_port(argv: list[str]) -> int | None:
    """The value of ``--metrics-port`` in ``argv`` (None without one)."""
    if "--metrics-port" not in argv:
        return None
    return int(argv[argv.index("--metrics-port") + 1])


def test_each_process_that_serves_metrics_gets_its_own_free_port():
    ports = metrics_ports()

    assert sorted(ports) == sorted(METRICS_PROCESSES)
    assert len(set(ports.values())) == len(ports)
    assert all(0 < port < 65536 for port in ports.values())


def test_livecore_notifications_and_nodes_are_told_their_metrics_port():
    processes = specs()

    assert {name: metrics_port(s.argv) for name, s in processes.items()} == {
        "api": None,
        "beat": None,
        "worker": None,
        **PORTS,
    }
    assert processes["node-2"].argv[-4:-2] == ["--node-id", "node-2"]


def test_the_banner_lists_the_metrics_url_of_every_process_that_serves_one():
    process: Any = SimpleNamespace  # all the banner reads of a process is its pid
    running = [Running(s, process(pid=100 + i), i) for i, s in enumerate(specs().values())]
    supervisor: Any = SimpleNamespace(processes=running)
    services = [Service("redis", "redis://127.0.0.1:6390/0", "embedded, pid 7")]

    text = banner(services, supervisor, API_PORT, DEMO, PORTS)

    listed = dict(re.findall(r"^ {4}(\S+) +(http://\S+/metrics)", text, re.MULTILINE))
    assert listed == {
        "api": f"http://127.0.0.1:{API_PORT}/metrics",
        **{name: f"http://127.0.0.1:{port}/metrics" for name, port in PORTS.items()},
    }
    assert "    notifications pid 104" in text
