"""Upstream: ginkgo_site.devstack, ginkgo_site.devstack.clickhouse, ginkgo_site.devstack.postgres, ginkgo_site.devstack.probes, ginkgo_site.devstack.process, ginkgo_site.devstack.redis_server, ginkgo_site.devstack.tansu, ginkgo_site.service_checks
Downstream: (none)
Role: the one error every start/check function raises when a service cannot be reached."""


class ServiceUnreachable(RuntimeError):
    """A service could not be started or reached; ``str()`` is one line: which, where, why."""

    def __init__(self, service: str, address: str, reason: str) -> None:
        self.service = service
        self.address = address
        self.reason = reason
        # Driver messages and log tails carry newlines; callers print this as one line.
        super().__init__(" ".join(f"{service} at {address} is unreachable: {reason}".split()))
