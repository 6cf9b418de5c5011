"""Upstream: bench.cluster_stack, bench.feed_storage, bench.gateway_throughput, bench.storage, ginkgo_site.devstack.launcher, monitoring.selectors
Downstream: ginkgo_site.devstack.clickhouse, ginkgo_site.devstack.errors, ginkgo_site.devstack.ports, ginkgo_site.devstack.postgres, ginkgo_site.devstack.probes, ginkgo_site.devstack.process, ginkgo_site.devstack.redis_server, ginkgo_site.devstack.tansu
Role: development services (PostgreSQL, Kafka via Tansu, Redis, ClickHouse): spawn on loopback, probe, stop.

Used by the test fixtures (tests/integration/conftest.py) and by `make run`
(ginkgo_site.devstack.launcher). Every spawned process logs to ``<workdir>/<name>.log``, runs
in its own session and gets SIGTERM from the kernel if its parent dies.
"""

from ginkgo_site.devstack.clickhouse import start_clickhouse
from ginkgo_site.devstack.errors import ServiceUnreachable
from ginkgo_site.devstack.ports import free_port
from ginkgo_site.devstack.postgres import start_postgres
from ginkgo_site.devstack.probes import check_clickhouse, check_database, check_kafka, check_redis
from ginkgo_site.devstack.process import ServiceHandle
from ginkgo_site.devstack.redis_server import start_redis
from ginkgo_site.devstack.tansu import start_tansu

__all__ = [
    "ServiceHandle",
    "ServiceUnreachable",
    "check_clickhouse",
    "check_database",
    "check_kafka",
    "check_redis",
    "free_port",
    "start_clickhouse",
    "start_postgres",
    "start_redis",
    "start_tansu",
]
