#!/usr/bin/env bash
# Installs or starts the system services `make test` needs and a clean machine may lack.
# Redis and the Kafka broker are spawned by the test fixtures themselves when unreachable.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_install() {
    if [ "$apt_updated" -eq 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

if [ -z "${CLICKHOUSE_URL:-}" ] && ! PATH="$PATH:/usr/sbin:/usr/local/sbin" command -v clickhouse-server >/dev/null; then
    echo "installing clickhouse-server (Debian package) for the ClickHouse tests"
    apt_install clickhouse-server
fi

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    echo "installing chromium and chromium-driver (Debian packages) for the dashboard test"
    apt_install chromium chromium-driver
fi

if [ -z "${DATABASE_URL:-}" ]; then
    if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
        if ! command -v pg_ctlcluster >/dev/null; then
            echo "installing postgresql (Debian package)"
            apt_install postgresql
        fi
        version=$(ls /etc/postgresql | sort -V | tail -n 1)
        echo "starting PostgreSQL $version on 127.0.0.1:5432"
        as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
    fi
fi
