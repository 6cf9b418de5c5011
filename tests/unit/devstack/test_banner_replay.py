"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.launcher
Role: the launcher's banner says how long the demo's replay is, at what pace, and where a restart resumes it; LiveCore is told to resume."""

from pathlib import Path

from ginkgo_site.devstack.launcher import (
    METRICS_PROCESSES,
    DemoLogin,
    replay_line,
    stack_processes,
)

REPLAY = {
    "symbols": ["AAPL", "GOOG", "IBM", "MSFT"],
    "first": "2010-01-04",
    "last": "2013-12-31",
    "days": 1006,
    "resuming": False,
    "next": "2010-01-04",
}
LENGTH = "replay: 4 symbols, 2010-01-04 .. 2013-12-31, 1,006 trading days at 1 day/s"


def test_a_first_run_gives_the_replays_length_and_pace():
    assert replay_line(REPLAY) == f"{LENGTH}, then synthetic ticks"


def test_a_restart_says_where_it_resumes():
    resumed = replay_line({**REPLAY, "resuming": True, "next": "2011-05-03"})
    done = replay_line({**REPLAY, "resuming": True, "next": None})

    assert resumed == f"{LENGTH}, then synthetic ticks; resuming at 2011-05-03"
    assert done == f"{LENGTH}, then synthetic ticks; resuming the ticks"


def test_livecore_carries_on_where_the_last_run_stopped():
    demo = DemoLogin(["/tmp/AAPL.csv"], "demo", "secret", "t0ken", REPLAY)
    ports = {name: 40_000 + i for i, name in enumerate(METRICS_PROCESSES)}

    livecore = next(
        s for s in stack_processes("python", 8123, Path("var"), demo, ports) if s.name == "livecore"
    )

    assert "--resume" in livecore.argv
