"""Upstream: (entry point: pytest)
Downstream: monitoring.metrics
Role: start_metrics_server: a free port when asked for port 0, serving the shared series."""

import urllib.request

from monitoring.metrics import PORTFOLIO_FILLS, start_metrics_server


def test_port_zero_serves_the_metrics_on_a_free_port_it_returns():
    PORTFOLIO_FILLS.labels("P-metrics").inc(3)

    port = start_metrics_server(0, addr="127.0.0.1")

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    assert port > 0
    assert 'ginkgo_portfolio_fills_total{portfolio_id="P-metrics"} 3.0' in text
