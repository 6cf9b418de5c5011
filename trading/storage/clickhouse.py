"""Upstream: bench.storage, trading.storage.clickhouse_bars, trading.storage.clickhouse_trades, trading.storage.schema, trading.storage.stores
Downstream: trading.core.ports
Role: queries one ClickHouse server (a client per thread) with connection faults and a missing schema turned into StoreUnavailable."""

import threading
from collections.abc import Iterator, Sequence
from typing import Any

from clickhouse_driver import Client
from clickhouse_driver.errors import ErrorCodes, NetworkError, ServerException, SocketTimeoutError
from clickhouse_driver.util.helpers import parse_url

from trading.core.ports import StoreUnavailable

STORE = "clickhouse"
CONNECT_TIMEOUT = 2.0
SEND_RECEIVE_TIMEOUT = 30.0
STREAM_BLOCK_ROWS = 65_536
_CONNECTION_FAULTS = (NetworkError, SocketTimeoutError, EOFError, OSError)
_NOT_SET_UP = (ErrorCodes.UNKNOWN_TABLE, ErrorCodes.UNKNOWN_DATABASE)


class ClickHouse:
    """One ClickHouse URL (``clickhouse://[user:password@]host:port/database``).

    clickhouse-driver clients are not thread-safe, so each thread gets its own, kept open
    between queries. A query that meets a dropped connection (a server restarted since the
    last query) is sent once more on a fresh one; inserts may be resent because every table
    is a ReplacingMergeTree. What still fails raises StoreUnavailable naming the server.
    """

    def __init__(self, url: str, database: str | None = None) -> None:
        host, options = parse_url(url)
        if database is not None:
            options["database"] = database
        options.setdefault("connect_timeout", CONNECT_TIMEOUT)
        options.setdefault("send_receive_timeout", SEND_RECEIVE_TIMEOUT)
        self.address = f"{host}:{options.get('port', 9000)}"
        self.database: str = options.get("database", "default")
        self._host = host
        self._options = options
        self._local = threading.local()

    def execute(
        self, query: str, params: dict[str, Any] | Sequence[Any] | None = None
    ) -> list[tuple[Any, ...]]:
        """Run ``query``; for an ``INSERT ... VALUES``, ``params`` are the columns' values."""
        columnar = query.lstrip().upper().startswith("INSERT")
        for attempt in (1, 2):
            client = self._client()
            try:
                return client.execute(query, params, columnar=columnar)
            except _CONNECTION_FAULTS as exc:
                client.disconnect()
                if attempt == 2:
                    raise self._unavailable(str(exc) or type(exc).__name__) from exc
            except ServerException as exc:
                raise self._server_fault(exc) from exc
        raise AssertionError("unreachable")

    def stream(self, query: str, params: dict[str, Any] | None = None) -> Iterator[tuple[Any, ...]]:
        """Rows of ``query`` as they arrive; stopping early cancels the query."""
        client = self._client()
        done = False
        try:
            yield from client.execute_iter(
                query, params, settings={"max_block_size": STREAM_BLOCK_ROWS}
            )
            done = True
        except _CONNECTION_FAULTS as exc:
            raise self._unavailable(str(exc) or type(exc).__name__) from exc
        except ServerException as exc:
            raise self._server_fault(exc) from exc
        finally:
            if not done:
                # A half-read result blocks the connection: drop it, the next query reconnects.
                client.disconnect()

    def _client(self) -> Client:
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = Client(self._host, **self._options)
        return client

    def _unavailable(self, reason: str) -> StoreUnavailable:
        return StoreUnavailable(STORE, self.address, reason)

    def _server_fault(self, exc: ServerException) -> Exception:
        if exc.code in _NOT_SET_UP:
            first_line = str(exc.message).split("\n", 1)[0].strip()
            return self._unavailable(f"{first_line} (run: manage.py clickhouse_schema)")
        return exc
