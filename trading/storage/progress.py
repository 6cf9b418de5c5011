"""Upstream: trading.management.commands.export_trades, trading.management.commands.import_bars
Downstream: (none)
Role: progress of a long job: a redrawn bar with rate and ETA on a terminal, a plain line every few seconds otherwise."""

import time
from collections.abc import Callable
from types import TracebackType
from typing import Self, TextIO

BAR_WIDTH = 24
TTY_REDRAW = 0.1
PLAIN_EVERY = 5.0


class Progress:
    """Counts units of work done, out of ``total`` when known, and reports them on ``stream``.

    Use as a context manager; :meth:`advance` after each batch. On a TTY the line is
    redrawn in place at most every 0.1 s; otherwise (logs, pipes, CI) a plain line is
    written every ``every`` seconds. A final line always gives the count and the rate.
    """

    def __init__(
        self,
        stream: TextIO,
        label: str,
        total: int | None = None,
        *,
        unit: str = "rows",
        every: float = PLAIN_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.done = 0
        self._stream = stream
        self._label = label
        self._total = total
        self._unit = unit
        self._clock = clock
        self._tty = stream.isatty()
        self._every = TTY_REDRAW if self._tty else every
        self._started = self._last = clock()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def advance(self, count: int) -> None:
        """Record ``count`` more units done; report if it is time to."""
        self.done += count
        now = self._clock()
        if now - self._last >= self._every:
            self._last = now
            self._write(self._line(now))

    def close(self) -> None:
        """Write the final line."""
        now = self._clock()
        elapsed = now - self._started
        final = f"{self._label}: {self.done:,} {self._unit} in {elapsed:.1f} s ({self._rate(now):,.0f} {self._unit}/s)"
        self._write(final, end="\n")

    def _line(self, now: float) -> str:
        rate = self._rate(now)
        counted = f"{self.done:,}" + (f"/{self._total:,}" if self._total else "")
        text = f"{self._label}: {counted} {self._unit}, {rate:,.0f} {self._unit}/s"
        if not self._total:
            return text
        share = min(self.done / self._total, 1.0)
        eta = (self._total - self.done) / rate if rate else 0.0
        if self._tty:
            filled = int(share * BAR_WIDTH)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            return f"{self._label} [{bar}] {share:4.0%} {counted} {self._unit} ETA {eta:.0f} s"
        return f"{text} ({share:.0%}, ETA {eta:.0f} s)"

    def _rate(self, now: float) -> float:
        elapsed = now - self._started
        return self.done / elapsed if elapsed > 0 else 0.0

    def _write(self, text: str, end: str = "") -> None:
        if self._tty:
            # \r and clear-to-end-of-line redraw the one line in place.
            self._stream.write(f"\r{text}\x1b[K{end}")
        else:
            self._stream.write(f"{text}\n")
        self._stream.flush()
