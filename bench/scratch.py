"""Upstream: bench.cluster_stack, bench.feed_storage, bench.gateway_throughput, bench.node_latency, bench.storage
Downstream: ginkgo_site.secret_files, (computed)
Role: what every benchmark borrows and gives back: a scratch database (PostgreSQL ``ginkgo_bench_<pid>``), Django set up on it, and its Redis keys removed."""

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from ginkgo_site.secret_files import secret_key_generate

DEFAULT_SERVER = "postgres://root@127.0.0.1:5432/postgres"


@contextmanager
def scratch_database() -> Iterator[str]:
    """A DATABASE_URL for a database that exists only while the benchmark runs.

    PostgreSQL: ``ginkgo_bench_<pid>`` is created on BENCH_POSTGRES_URL (default the
    machine's server; used only to create and drop it) and dropped at the end.
    """
    server = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_SERVER)
    name = f"ginkgo_bench_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def django_setup(stack: ExitStack, **environ: str) -> None:
    """Set the environment (quiet logs, Django settings module, then ``environ``), set Django
    up on it, and close its connections when ``stack`` unwinds (before a scratch database
    entered earlier is dropped)."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="ginkgo_site.settings", GINKGO_LOG_LEVEL="WARNING", **environ
    )
    # DEBUG is off, so the settings want a real key: the run's own, inherited by its processes.
    os.environ.setdefault("DJANGO_SECRET_KEY", secret_key_generate())
    import django

    django.setup()
    from django.db import connections

    stack.callback(connections.close_all)


def delete_keys(client: Any, prefix: str) -> None:
    """Remove every Redis key under ``prefix``."""
    keys = list(client.scan_iter(match=f"{prefix}*", count=500))
    if keys:
        client.delete(*keys)
