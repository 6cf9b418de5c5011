"""Upstream: (entry point: pytest)
Downstream: monitoring.exposition
Role: a process's /metrics server listens on loopback unless GINKGO_METRICS_ADDR says otherwise, and says where."""

import socket
import urllib.request

from monitoring.exposition import serve_metrics


def _outward_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def test_the_metrics_server_listens_on_loopback_only():
    said: list[str] = []

    port = serve_metrics(0, said.append)

    assert said == [f"metrics on http://127.0.0.1:{port}/metrics"]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        assert response.status == 200
    outward = _outward_address()
    if outward is not None:
        with socket.socket() as client:
            assert client.connect_ex((outward, port)) != 0
