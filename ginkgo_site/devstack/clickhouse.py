"""Upstream: ginkgo_site.devstack
Downstream: ginkgo_site.devstack.errors, ginkgo_site.devstack.ports, ginkgo_site.devstack.probes, ginkgo_site.devstack.process
Role: spawns a loopback ClickHouse server (Debian's clickhouse-server 18.16) with its own config."""

import os
import shutil
import socket
from pathlib import Path
from xml.sax.saxutils import escape

from ginkgo_site.devstack.errors import ServiceUnreachable
from ginkgo_site.devstack.ports import free_ports
from ginkgo_site.devstack.probes import check_clickhouse
from ginkgo_site.devstack.process import ServiceHandle, start_service

START_TIMEOUT = 60.0
# Debian installs the server in /usr/sbin, which is not on an ordinary user's PATH.
_EXTRA_BIN_DIRS = ("/usr/sbin", "/usr/local/sbin")

# Every port is ours (the stock 9000/8123/9009 clash with other software), only loopback
# listens, and every path lives in the work directory. Logs go to stdout (our log file).
_CONFIG = """<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <console>1</console>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>{tcp_port}</tcp_port>
    <http_port>{http_port}</http_port>
    <interserver_http_port>{interserver_port}</interserver_http_port>
    <interserver_http_host>127.0.0.1</interserver_http_host>
    <path>{root}/data/</path>
    <tmp_path>{root}/tmp/</tmp_path>
    <user_files_path>{root}/user_files/</user_files_path>
    <format_schema_path>{root}/format_schemas/</format_schema_path>
    <users_config>{root}/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <!-- 18.16 refuses to start without it; a cap for a development server, allocated lazily. -->
    <mark_cache_size>268435456</mark_cache_size>
</yandex>
"""

_USERS = """<?xml version="1.0"?>
<yandex>
    <profiles>
        <default></default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks>
                <ip>::1</ip>
                <ip>127.0.0.1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default></default>
    </quotas>
</yandex>
"""


def start_clickhouse(workdir: Path, port: int | None = None) -> ServiceHandle:
    """clickhouse-server with native TCP on 127.0.0.1:``port``; config, data and log in workdir.

    Returns once ``SELECT 1`` succeeds; its url is a CLICKHOUSE_URL value.
    """
    tcp_port = port or free_ports(1)[0]
    http_port, interserver_port = [p for p in free_ports(3) if p != tcp_port][:2]
    address = f"127.0.0.1:{tcp_port}"
    url = f"clickhouse://{address}/default"
    binary = _server_binary(address)
    root = workdir.resolve()
    root.mkdir(parents=True, exist_ok=True)
    config = root / "config.xml"
    config.write_text(
        _CONFIG.format(
            tcp_port=tcp_port,
            http_port=http_port,
            interserver_port=interserver_port,
            root=escape(str(root)),
        )
    )
    (root / "users.xml").write_text(_USERS)

    def ready() -> None:
        # The driver logs every refused connection with a traceback: while the server boots,
        # wait quietly for its port before asking for SELECT 1.
        try:
            socket.create_connection(("127.0.0.1", tcp_port), timeout=1.0).close()
        except OSError as exc:
            raise ServiceUnreachable("clickhouse", address, str(exc)) from exc
        check_clickhouse(url, timeout=1.0)

    return start_service(
        "clickhouse", url, address, [binary, f"--config-file={config}"], root, ready, START_TIMEOUT
    )


def _server_binary(address: str) -> str:
    search = os.pathsep.join([os.environ.get("PATH", ""), *_EXTRA_BIN_DIRS])
    binary = shutil.which("clickhouse-server", path=search)
    if binary is None:
        raise ServiceUnreachable(
            "clickhouse",
            address,
            "cannot start: clickhouse-server not found "
            "(install it with: apt-get install -y clickhouse-server)",
        )
    return binary
