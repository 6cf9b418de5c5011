"""Upstream: (entry point: pytest)
Downstream: tests.e2e.chromium, tests.integration.monitoring.live_twin, trading.core.data.csv_bars, trading.demo_data
Role: the pictures in headless Chromium: a backtest report written by the command (opened from the file, offline) and a portfolio's page on the dashboard draw their charts, a marker for every fill and the statistics; and a chart of 10 years of daily bars or a day of minute bars draws fast. Screenshots are named in the log."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.e2e.chromium import browser, log_in, png_size, screenshot, wait_for
from tests.integration.monitoring.live_twin import live_portfolio
from trading.core.data.csv_bars import read_csv_bars
from trading.demo_data import demo_bar_files

__all__ = ["browser"]

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery staple"
CHARTS = Path(__file__).resolve().parents[2] / "trading" / "static" / "trading" / "charts.js"
# The fill the portfolio's live run drifts at, for a divergence to mark.
DRIFT_AT = 60

# Read in one script run, after the page drew.
REPORT = """
const svg = (selector) => document.querySelector(selector);
const paths = (selector) => [...document.querySelectorAll(`${selector} path.series`)]
  .map(p => [p.getAttribute("d").split(/[LHV]/).length, Number(p.dataset.points)]);
return {
  equity: paths("#equity-chart"),
  drawdown: paths("#drawdown-chart"),
  price: paths("svg.price-chart[data-symbol=AAPL]"),
  buys: svg("svg.price-chart").querySelectorAll(".marker-buy").length,
  sells: svg("svg.price-chart").querySelectorAll(".marker-sell").length,
  band: svg("#equity-chart").querySelectorAll("rect.band-drawdown").length,
  stats: Object.fromEntries([...document.querySelectorAll("[data-stat]")]
    .map(s => [s.dataset.stat, s.querySelector("dd").textContent.trim()])),
  trades: document.querySelectorAll("#trades-table tbody tr").length,
  resources: performance.getEntriesByType("resource").map(r => r.name),
};
"""

PORTFOLIO = """
const chart = document.getElementById("compare-chart");
const series = Object.fromEntries([...chart.querySelectorAll("path.series")]
  .map(p => [p.dataset.label, Number(p.dataset.points)]));
return {
  series,
  live_markers: chart.querySelectorAll(".marker.marker-live").length,
  twin_markers: chart.querySelectorAll(".marker.marker-twin").length,
  divergence: [...chart.querySelectorAll("text.vertical-label")].map(t => t.textContent),
  cards: Object.fromEntries([...document.querySelectorAll(".card")]
    .map(c => [c.querySelector(".card-label").textContent, c.querySelector(".card-value").textContent])),
  divergence_rows: [...document.querySelectorAll("#divergence-table tbody tr")].map(r => r.innerText),
  positions: document.querySelectorAll("#positions-table tbody tr:not(.empty)").length,
  orders: document.querySelectorAll("#orders-table tbody tr:not(.empty)").length,
  fills: document.querySelectorAll("#fills-table tbody tr:not(.empty)").length,
};
"""

# Draws one series of ``count`` points ``step`` ms apart into a fresh chart; returns the time
# it took and how many points the path kept.
TIMED_DRAW = """
const [count, step] = arguments;
const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
svg.setAttribute("style", "width: 1200px; display: block");
document.body.appendChild(svg);
const t = [], v = [];
let price = 100;
for (let i = 0; i < count; i++) { t.push(Date.UTC(2015, 0, 2) + i * step); price *= 1 + Math.sin(i * 7.3) * 0.01; v.push(price); }
const started = performance.now();
GinkgoCharts.draw(svg, { series: [{ t, v, className: "line-price" }] });
return [performance.now() - started, Number(svg.dataset.points), svg.getBoundingClientRect().width];
"""


@pytest.fixture(scope="module")
def aapl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real daily bars of AAPL, 2010 to 2013 (public domain, bokeh-sampledata)."""
    (path,) = demo_bar_files(tmp_path_factory.mktemp("bars"), ["AAPL"])
    return path


def test_a_backtest_report_draws_offline_with_a_marker_for_every_fill(browser, aapl, tmp_path):
    report = tmp_path / "report.html"
    out = StringIO()
    call_command(
        "backtest", "--data", str(aapl), "--strategy", "sma_cross", "--param", "period=10",
        "--param", "size=20", "--cash", "100000", "--json", "--report", str(report), stdout=out,
    )  # fmt: skip
    result = json.loads(out.getvalue())

    browser.get(report.as_uri())
    wait_for(browser, "body[data-drawn=true]")
    page = browser.execute_script(REPORT)
    shot = screenshot(browser, tmp_path / "backtest-report.png", full_page=True)

    trades = [trade["side"] for trade in result["trades"]]
    assert (page["buys"], page["sells"]) == (trades.count("buy"), trades.count("sell"))
    assert page["buys"] + page["sells"] == page["trades"] == result["trade_count"] > 50
    for chart in ("equity", "drawdown", "price"):
        ((segments, points),) = page[chart]
        assert points > 200 and segments >= points, chart
    assert page["band"] == 1
    assert page["stats"]["return"] == f"{result['return']:.2%}"
    assert page["stats"]["sharpe"] == f"{result['sharpe']:.2f}"
    assert page["stats"]["max_drawdown"].startswith(f"{result['max_drawdown']:.2%}")
    assert {"cagr", "sortino", "win_rate", "average_win", "average_loss", "exposure"} <= set(
        page["stats"]
    )
    assert all(value and value != "n/a" for value in page["stats"].values()), page["stats"]
    # Opened from a file, and nothing requested: no script, style or font from anywhere.
    assert page["resources"] == []
    assert png_size(shot)[1] > 2000


@pytest.mark.parametrize(
    ("count", "step"), [(2520, 86_400_000), (390, 60_000), (200_000, 60_000)], ids=str
)
def test_a_long_series_draws_fast_as_a_few_points_per_pixel(browser, tmp_path, count, step):
    browser.get("about:blank")
    browser.execute_script(CHARTS.read_text())

    elapsed_ms, points, width = browser.execute_script(TIMED_DRAW, count, step)
    print(f"{count} points: drawn in {elapsed_ms:.1f} ms as {points} points, {width:.0f} px wide")

    # At most four points (first, lowest, highest, last) per pixel column.
    assert points <= min(count, 4 * (width + 1))
    assert elapsed_ms < 250, f"{count} points took {elapsed_ms:.0f} ms"


@pytest.mark.django_db(transaction=True)
def test_a_portfolio_page_draws_live_against_its_backtest(
    browser, aapl, live_server, redis_client, settings, tmp_path
):
    settings.CLICKHOUSE_URL = ""  # the bars in PostgreSQL, flushed after the test
    get_user_model().objects.create_superuser("ops", "ops@example.com", PASSWORD)
    bars = list(read_csv_bars(aapl, "AAPL"))
    _, backtest = live_portfolio(redis_client, "demo.sma_aapl", bars, drift_at=DRIFT_AT)

    log_in(browser, f"{live_server.url}/dashboard/portfolios/demo.sma_aapl/", "ops", PASSWORD)
    wait_for(browser, "body[data-loaded=true]")
    page = browser.execute_script(PORTFOLIO)
    shot = screenshot(browser, tmp_path / "portfolio-page.png", full_page=True)

    fills = backtest.trade_count
    assert page["series"]["live"] > fills and page["series"]["backtest"] > 200
    assert (page["live_markers"], page["twin_markers"]) == (fills, fills)
    drifted = backtest.trades[DRIFT_AT].time
    assert page["divergence"] == [f"first divergence {drifted:%Y-%m-%d}"]
    assert page["cards"]["first divergence"] == f"{drifted:%Y-%m-%d}"
    assert page["cards"]["fills live / backtest"] == f"{fills} / {fills}"
    (row,) = page["divergence_rows"]
    assert row.startswith(f"{DRIFT_AT + 1}\t")
    assert (page["positions"], page["orders"], page["fills"]) == (0, 50, 50)
    assert png_size(shot)[1] > 1000
