"""Upstream: ginkgo_site.devstack, ginkgo_site.devstack.clickhouse, ginkgo_site.devstack.launcher, ginkgo_site.devstack.postgres, ginkgo_site.devstack.redis_server, ginkgo_site.devstack.tansu
Downstream: (none)
Role: picks free loopback TCP ports for the services spawned on this machine."""

import socket
from contextlib import ExitStack


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports that were free a moment ago on 127.0.0.1."""
    with ExitStack() as stack:
        # All sockets stay bound until every port is chosen, so the ports are distinct.
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def free_port() -> int:
    return free_ports(1)[0]
