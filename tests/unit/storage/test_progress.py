"""Upstream: (entry point: pytest)
Downstream: trading.storage.progress
Role: progress reports: plain periodic lines off a terminal, an in-place bar with ETA on one, a final summary always."""

import io

from trading.storage.progress import Progress


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_off_a_terminal_a_plain_line_is_written_every_period():
    out, clock = io.StringIO(), FakeClock()

    with Progress(out, "bars.csv", 1000, every=5.0, clock=clock) as progress:
        for _ in range(10):
            clock.now += 1.0
            progress.advance(100)

    lines = out.getvalue().splitlines()
    assert lines == [
        "bars.csv: 500/1,000 rows, 100 rows/s (50%, ETA 5 s)",
        "bars.csv: 1,000/1,000 rows, 100 rows/s (100%, ETA 0 s)",
        "bars.csv: 1,000 rows in 10.0 s (100 rows/s)",
    ]


def test_on_a_terminal_the_bar_is_redrawn_in_place():
    out, clock = FakeTerminal(), FakeClock()

    with Progress(out, "x", 400, clock=clock) as progress:
        clock.now = 1.0
        progress.advance(100)

    text = out.getvalue()
    assert text.startswith("\rx [######------------------]  25% 100/400 rows ETA 3 s\x1b[K")
    assert text.endswith("\rx: 100 rows in 1.0 s (100 rows/s)\x1b[K\n")
    assert text.count("\n") == 1


def test_without_a_total_only_counts_and_rates_are_shown():
    out, clock = io.StringIO(), FakeClock()

    with Progress(out, "export", unit="trades", every=1.0, clock=clock) as progress:
        clock.now = 2.0
        progress.advance(50)

    assert out.getvalue().splitlines()[0] == "export: 50 trades, 25 trades/s"
