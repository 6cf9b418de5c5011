"""Upstream: (entry point: pytest)
Downstream: tests.integration.api.factories, trading.core.testing.random_walk, trading.models
Role: a backtest run's report: /api/engine/backtests/{id}/report (HTML, self-contained), its link in the run list, and the dashboard's page of it."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.integration.api.factories import client_for, make_portfolio
from trading import models
from trading.core.testing.random_walk import random_walk, write_bars_csv

pytestmark = pytest.mark.django_db

BARS = 250
DATA = re.compile(r'<script id="report-data" type="application/json">(.*?)</script>', re.S)


@pytest.fixture
def done_run(tmp_path, settings, django_capture_on_commit_callbacks) -> int:
    """A backtest of alpha (sma_cross, period 5) over 250 bars of AAPL, run to the end."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    make_portfolio("alpha", strategy={"name": "sma_cross", "params": {"period": 5}})
    path = write_bars_csv(tmp_path / "AAPL.csv", random_walk(BARS, seed=7, symbol="AAPL"))
    bars = SimpleUploadedFile("AAPL.csv", path.read_bytes(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        queued = client_for("developer").post(
            "/api/engine/backtests", {"portfolio_id": "alpha", "bars": bars}, format="multipart"
        )
    return queued.json()["id"]


def _chart_data(html: str) -> dict:
    match = DATA.search(html)
    assert match, "the report carries no chart data"
    return json.loads(match.group(1))


def test_a_done_run_has_a_self_contained_html_report(done_run):
    response = client_for("viewer").get(f"/api/engine/backtests/{done_run}/report")
    html = response.content.decode()
    stored = models.Backtest.objects.get(pk=done_run).result

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    data = _chart_data(html)
    assert len(data["equity"]["t"]) == len(data["equity"]["v"]) == BARS
    assert len(data["equity"]["drawdown"]) == BARS and max(data["equity"]["drawdown"]) <= 0
    (symbol,) = data["symbols"]
    assert symbol["symbol"] == "AAPL" and len(symbol["t"]) == BARS
    assert len(symbol["fills"]) == stored["trade_count"] > 0
    for stat in ("return", "cagr", "max_drawdown", "sharpe", "sortino", "win_rate", "exposure"):
        assert f'data-stat="{stat}"' in html
    assert html.count("<tr><td>") == stored["trade_count"]
    # Nothing is loaded from anywhere: no src, no stylesheet link, no URL of another host.
    assert not re.search(
        r"\ssrc=|<link rel=\"stylesheet\"|https?://(?!www\.w3\.org/2000/svg)", html
    )


def test_the_run_list_links_a_done_run_to_its_report(done_run):
    runs = client_for("viewer").get("/api/engine/backtests").json()["results"]

    assert [run["report"] for run in runs] == [f"/api/engine/backtests/{done_run}/report"]


def test_a_run_not_done_has_no_report_yet():
    portfolio = make_portfolio("alpha")
    run = models.Backtest.objects.create(
        portfolio=portfolio, portfolio_version=1, config={}, symbol="AAPL", bars_csv="x"
    )

    response = client_for("viewer").get(f"/api/engine/backtests/{run.pk}/report")
    listed = client_for("viewer").get("/api/engine/backtests").json()["results"]

    assert response.status_code == 409
    assert response.json()["error"]["message"] == (
        f"backtest {run.pk} is queued: no report until it is done"
    )
    assert listed[0]["report"] is None


def test_an_unknown_run_is_a_404_and_anonymous_is_refused():
    assert client_for("viewer").get("/api/engine/backtests/999999/report").status_code == 404
    assert client_for(None).get("/api/engine/backtests/999999/report").status_code == 401


def test_a_browser_asking_for_html_only_gets_the_report(done_run):
    response = client_for("viewer").get(
        f"/api/engine/backtests/{done_run}/report", HTTP_ACCEPT="text/html"
    )

    assert response.status_code == 200
    assert response.content.startswith(b"<!doctype html>")


def test_the_dashboard_lists_runs_and_shows_each_report_with_a_way_back(done_run):
    browser = Client()
    browser.force_login(get_user_model().objects.create_superuser("ops", "ops@example.com", "x"))

    listed = browser.get("/dashboard/data").json()["backtests"]
    page = browser.get(listed[0]["url"])

    assert [(row["id"], row["status"]) for row in listed] == [(done_run, "done")]
    assert listed[0]["url"] == f"/dashboard/backtests/{done_run}/"
    assert page.status_code == 200
    assert b'<a href="/dashboard/">dashboard</a>' in page.content
    assert _chart_data(page.content.decode())["equity"]["t"]


def test_the_dashboards_report_page_needs_a_login_and_the_read_permission(done_run):
    anonymous = Client().get(f"/dashboard/backtests/{done_run}/")
    nobody = Client()
    nobody.force_login(get_user_model().objects.create_user("nobody", password="x"))

    assert anonymous.status_code == 302
    assert nobody.get(f"/dashboard/backtests/{done_run}/").status_code == 403


def test_a_failed_run_shows_why_on_its_dashboard_page():
    portfolio = make_portfolio("alpha")
    run = models.Backtest.objects.create(
        portfolio=portfolio,
        portfolio_version=1,
        config={},
        symbol="AAPL",
        bars_csv="x",
        status=models.JobStatus.FAILED,
        error="bars.csv:2: bad row",
    )
    browser = Client()
    browser.force_login(get_user_model().objects.create_superuser("ops", "ops@example.com", "x"))

    page = browser.get(f"/dashboard/backtests/{run.pk}/")

    assert page.status_code == 200
    assert f"Backtest {run.pk} failed: bars.csv:2: bad row".encode() in page.content
