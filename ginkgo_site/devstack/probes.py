"""Upstream: ginkgo_site.devstack, ginkgo_site.devstack.clickhouse, ginkgo_site.devstack.postgres, ginkgo_site.devstack.redis_server, ginkgo_site.devstack.tansu, ginkgo_site.service_checks
Downstream: ginkgo_site.devstack.errors
Role: one round trip to each service (Kafka, Redis, ClickHouse, SQL database), timed, or ServiceUnreachable."""

import math
import time
from typing import Any
from urllib.parse import urlsplit

import environ
import psycopg
import redis
from clickhouse_driver import Client
from clickhouse_driver.errors import Error as ClickHouseError
from clickhouse_driver.util.helpers import parse_url
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient

from ginkgo_site.devstack.errors import ServiceUnreachable

# libpq counts connect_timeout in whole seconds and treats anything below 2 as 2.
_LIBPQ_MIN_CONNECT_TIMEOUT = 2


def check_kafka(bootstrap: str, timeout: float = 5.0) -> float:
    """Seconds a metadata request took against ``bootstrap`` ("host:port[,host:port]")."""
    started = time.monotonic()
    try:
        # log_level 0: a refused connection is reported once, here, not logged by librdkafka.
        admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0})
        admin.list_topics(timeout=timeout)
    except KafkaException as exc:
        error = exc.args[0]
        reason = error.str() if isinstance(error, KafkaError) else str(error)
        raise ServiceUnreachable("kafka", bootstrap, reason) from exc
    return time.monotonic() - started


def check_redis(url: str, timeout: float = 2.0) -> float:
    """Seconds a PING took against ``url`` (redis://host:port/db)."""
    started = time.monotonic()
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        with client:
            client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise ServiceUnreachable("redis", _address(url, 6379), str(exc)) from exc
    return time.monotonic() - started


def check_clickhouse(url: str, timeout: float = 2.0) -> float:
    """Seconds a ``SELECT 1`` took against ``url`` (clickhouse://host:port/database)."""
    started = time.monotonic()
    host, options = parse_url(url)
    address = f"{host}:{options.get('port', 9000)}"
    options.update(connect_timeout=timeout, send_receive_timeout=timeout)
    try:
        client = Client(host, **options)
        try:
            client.execute("SELECT 1")
        finally:
            client.disconnect()
    except (ClickHouseError, OSError, EOFError) as exc:
        raise ServiceUnreachable("clickhouse", address, str(exc)) from exc
    return time.monotonic() - started


def check_database(url: str, timeout: float = 3.0) -> float:
    """Seconds a ``SELECT 1`` took against a DATABASE_URL (postgres://...: the only engine)."""
    # Parsed exactly as ginkgo_site.settings parses it, but without setting Django up.
    config = environ.Env.db_url_config(url)
    engine = config["ENGINE"].rsplit(".", 1)[-1]
    started = time.monotonic()
    if engine == "postgresql":
        _check_postgres(config, timeout)
    else:
        raise ServiceUnreachable("database", _address(url, None), f"unsupported engine {engine}")
    return time.monotonic() - started


def _check_postgres(config: dict[str, Any], timeout: float) -> None:
    params = {
        "dbname": config["NAME"],
        "user": config["USER"],
        "password": config["PASSWORD"],
        "host": config["HOST"],
        "port": config["PORT"],
        **config.get("OPTIONS", {}),
    }
    address = f"{config['HOST'] or '(local socket)'}:{config['PORT'] or 5432}/{config['NAME']}"
    try:
        with psycopg.connect(
            connect_timeout=max(_LIBPQ_MIN_CONNECT_TIMEOUT, math.ceil(timeout)),
            **{key: value for key, value in params.items() if value not in ("", None)},
        ) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as exc:
        raise ServiceUnreachable("postgresql", address, str(exc)) from exc


def _address(url: str, default_port: int | None) -> str:
    # host:port only: the URL may carry a password, and this text ends up in logs.
    parts = urlsplit(url)
    port = parts.port or default_port
    return f"{parts.hostname or '?'}:{port}" if port else parts.hostname or "?"
