"""Upstream: (entry point: pytest)
Downstream: tests.integration.storage.factories, trading.core.testing.random_walk, trading.models, trading.services.trade_mirror, trading.services.users, trading.storage.stores
Role: /api/data/: bars (daily, resampled, intraday), trades, stats, CSV imports as Celery jobs; 503 naming the store when ClickHouse is down, or the SQL fallback."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.integration.storage import factories
from trading import models
from trading.core.testing.random_walk import random_walk, write_bars_csv
from trading.services.trade_mirror import trade_mirror_run
from trading.services.users import user_upsert
from trading.storage.stores import bar_store, sql_bar_store

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.integration.storage.urls")]


def _client_as(role: str) -> APIClient:
    api = APIClient()
    api.force_authenticate(user_upsert(username=f"a-{role}", role=role)[0])
    return api


@pytest.fixture
def client() -> APIClient:
    """A developer: reads data and imports bars."""
    return _client_as("developer")


def test_a_viewer_reads_data_but_cannot_import(settings):
    settings.CLICKHOUSE_URL = ""  # the SQL stores: this test is about permissions
    viewer = _client_as("viewer")
    upload = SimpleUploadedFile("x.csv", b"Date,Open,High,Low,Close,Volume\n", "text/csv")

    assert viewer.get("/api/data/stats").status_code == 200
    assert viewer.post("/api/data/import", {"file": upload}, format="multipart").status_code == 403


@pytest.fixture
def eager_celery(settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


def _trades() -> None:
    alpha, beta = factories.portfolio("alpha"), factories.portfolio("beta")
    factories.fill(alpha, 1, quantity="10", price="100")
    factories.fill(alpha, 2, side="sell", quantity="10", price="104")
    factories.fill(beta, 1, quantity="3", price="50", commission="0")
    trade_mirror_run(settle=timedelta(0))


def test_daily_bars_come_from_the_configured_store(clickhouse_store, client):
    bar_store().write_bars(list(random_walk(30, seed=2, symbol="AAPL")))

    response = client.get(
        "/api/data/bars", {"symbol": "AAPL", "start": "2024-01-05", "end": "2024-01-09"}
    )

    body = response.json()
    assert response.status_code == 200
    assert response["X-Data-Store"] == body["store"] == "clickhouse"
    assert [bar["time"][:10] for bar in body["bars"]] == [
        "2024-01-05",
        "2024-01-06",
        "2024-01-07",
        "2024-01-08",
        "2024-01-09",
    ]


def test_weekly_and_monthly_bars_are_resampled_from_daily_ones(sql_store, client):
    bar_store().write_bars(list(random_walk(60, seed=2, symbol="AAPL")))  # 2024-01-02 .. 03-01

    weekly = client.get("/api/data/bars", {"symbol": "AAPL", "interval": "1w"}).json()
    monthly = client.get("/api/data/bars", {"symbol": "AAPL", "interval": "1mo"}).json()

    assert (weekly["source_interval"], len(weekly["bars"])) == ("1d", 9)
    assert weekly["bars"][0]["time"].startswith("2024-01-01")
    assert [bar["time"][:7] for bar in monthly["bars"]] == ["2024-01", "2024-02", "2024-03"]


def test_intraday_bars_resample_to_coarser_intraday_intervals(sql_store, client):
    minutes = random_walk(120, seed=4, symbol="AAPL", step=timedelta(minutes=1))
    bar_store().write_bars([replace(b, interval="1m") for b in minutes])

    response = client.get("/api/data/bars", {"symbol": "AAPL", "interval": "15m"}).json()

    assert (response["source_interval"], len(response["bars"])) == ("1m", 8)


def test_a_bad_interval_is_a_400(sql_store, client):
    response = client.get("/api/data/bars", {"symbol": "AAPL", "interval": "1y"})

    assert response.status_code == 400
    assert "interval" in response.json()["error"]["fields"]


def test_trades_of_a_portfolio_are_paginated(clickhouse_store, client):
    _trades()

    page = client.get("/api/data/trades", {"portfolio": "alpha", "limit": 1}).json()

    assert page["count"] == 2
    assert [t["fill_id"] for t in page["results"]] == ["alpha-F1"]
    assert page["results"][0]["price"] == "100"


def test_stats_give_each_portfolio_and_the_total(clickhouse_store, client):
    _trades()

    body = client.get("/api/data/stats").json()

    assert body["store"] == "clickhouse"
    assert [(p["portfolio_id"], p["trades"], p["realised_pnl"]) for p in body["portfolios"]] == [
        ("alpha", 2, "40"),
        ("beta", 1, "0"),
    ]
    assert (body["total"]["trades"], body["total"]["net_pnl"], body["total"]["portfolio_id"]) == (
        3,
        "38",
        None,
    )


def test_with_clickhouse_down_bar_and_trade_queries_answer_503_naming_the_store(
    clickhouse_down, client
):
    bars = client.get("/api/data/bars", {"symbol": "AAPL"})
    trades = client.get("/api/data/trades", {"portfolio": "alpha"})
    stats = client.get("/api/data/stats")

    assert [r.status_code for r in (bars, trades, stats)] == [503, 503, 503]
    assert bars.json()["error"]["message"].startswith("bar store: clickhouse at 127.0.0.1:")
    assert trades.json()["error"]["message"].startswith("trade store: clickhouse at 127.0.0.1:")


def test_with_the_sql_fallback_queries_are_answered_by_the_database_while_clickhouse_is_down(
    clickhouse_down, sql_fallback, client
):
    factories.fill(factories.portfolio("alpha"), 1)
    sql_bar_store().write_bars(list(random_walk(3, symbol="AAPL")))

    trades = client.get("/api/data/trades", {"portfolio": "alpha"})
    bars = client.get("/api/data/bars", {"symbol": "AAPL"})

    assert (trades.status_code, trades["X-Data-Store"], trades.json()["count"]) == (200, "sql", 1)
    assert (bars.status_code, bars.json()["store"], len(bars.json()["bars"])) == (200, "sql", 3)


def test_an_uploaded_file_is_imported_by_a_job_whose_progress_can_be_read(
    clickhouse_store, client, eager_celery, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path
    csv = write_bars_csv(tmp_path / "MSFT.csv", random_walk(250, seed=5, symbol="MSFT"))

    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post(
            "/api/data/import",
            {"file": SimpleUploadedFile("MSFT.csv", csv.read_bytes())},
            format="multipart",
        )
    job = client.get(f"/api/data/import/{queued.json()['id']}").json()

    assert (queued.status_code, queued.json()["status"]) == (202, "queued")
    assert (job["status"], job["store"], job["symbol"]) == ("done", "clickhouse", "MSFT")
    assert (job["rows_total"], job["rows_done"], job["progress"]) == (250, 250, 1.0)
    assert len(list(bar_store().bars("MSFT"))) == 250
    assert not list((tmp_path / "imports").iterdir())


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (b"2024-01-02,1,x,1,1,1", "invalid number"),
        (b"2024-01-02,500,101,99,100,1", "open 500 is above high 101"),
        (b"2024-01-02,1,1,1,Infinity,1", "close is not a finite number (Infinity)"),
    ],
)
def test_an_import_with_a_bad_row_fails_naming_the_file_and_line(
    sql_store,
    client,
    eager_celery,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
    row,
    problem,
):
    settings.VAR_DIR = tmp_path
    upload = SimpleUploadedFile("X.csv", b"Date,Open,High,Low,Close,Volume\n" + row + b"\n")

    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post(
            "/api/data/import", {"file": upload, "symbol": "XYZ"}, format="multipart"
        )

    job = models.BarImport.objects.get(pk=queued.json()["id"])
    assert job.status == "failed"
    assert job.error == f"X.csv:2: bad row {row.decode()!r}: {problem}"
    assert not models.Bar.objects.exists()


def test_an_unknown_import_is_a_404_and_anonymous_requests_are_refused(sql_store, client):
    assert client.get("/api/data/import/999").status_code == 404
    assert APIClient().get("/api/data/bars", {"symbol": "AAPL"}).status_code == 401
