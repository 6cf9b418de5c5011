"""Upstream: trading.management.commands.import_bars, trading.services.bar_imports
Downstream: trading.core.data.csv_bars, trading.core.errors, trading.core.market, trading.core.ports
Role: streams a CSV file of bars (as the core reads it) into a BarStore in batches, and counts a file's rows for progress."""

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path

from trading.core.data.csv_bars import read_csv_bars
from trading.core.errors import DataError
from trading.core.market import Bar
from trading.core.ports import BarStore

DEFAULT_BATCH = 20_000
_CHUNK = 1 << 20


def data_rows(path: Path) -> int:
    """Lines after the header (fast: counts newlines; blank lines count too)."""
    lines = 0
    last = b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    return max(lines - 1, 0)


def bar_file_import(
    store: BarStore,
    path: Path,
    *,
    symbol: str | None = None,
    interval: str | None = None,
    batch_size: int = DEFAULT_BATCH,
    on_progress: Callable[[int], None] | None = None,
    on_bad: Callable[[DataError], None] | None = None,
) -> int:
    """Write every bar of ``path`` to ``store``, ``batch_size`` at a time; returns how many.

    The file is read as a stream, so its size does not matter. Writing a bar again
    replaces it, so importing a file twice stores its bars once. Every row passes the
    core's bar rule: a bad row raises DataError naming file and line (batches before it
    stay written), or, with ``on_bad``, is handed to it and skipped. Raises
    StoreUnavailable when the store is away.
    """
    bars = read_csv_bars(path, symbol, interval=interval, on_bad=on_bad)
    written = 0
    for batch in _batches(bars, batch_size):
        try:
            written += store.write_bars(batch)
        except ValueError as exc:  # a time the store cannot hold (before 1970 in ClickHouse)
            raise DataError(f"{path}: {exc}") from None
        if on_progress is not None:
            on_progress(len(batch))
    return written


def _batches(bars: Iterable[Bar], size: int) -> Iterator[list[Bar]]:
    iterator = iter(bars)
    while batch := list(islice(iterator, size)):
        yield batch
