"""Upstream: (entry point: pytest)
Downstream: (none)
Role: a tiny run of the node latency benchmark as its users start it (python -m bench.node_latency): it sets Django up itself and prints both figures."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_node_latency_benchmark_runs_from_the_command_line_and_prints_both_figures():
    tiny = ["--rate", "1000", "--seconds", "0.8", "--runs", "1"]
    done = subprocess.run(
        [sys.executable, "-m", "bench.node_latency", *tiny],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    median = done.stdout.splitlines()[-1]
    assert median.startswith("median over runs")
    assert "without working orders: p50" in median
    assert "with working orders: p50" in median
