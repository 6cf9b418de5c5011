"""Upstream: (entry point: pytest)
Downstream: tests.integration.api.factories, trading.core.testing.random_walk, trading.models
Role: backtests of stored portfolios over uploaded CSV bars, run as Celery tasks (eagerly here) and stored as job rows."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.integration.api.factories import client_for, make_portfolio
from trading import models
from trading.core.testing.random_walk import random_walk, write_bars_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


def _bars(tmp_path: Path, count: int = 120) -> SimpleUploadedFile:
    path = write_bars_csv(tmp_path / "AAPL.csv", random_walk(count, seed=7, symbol="AAPL"))
    return SimpleUploadedFile("AAPL.csv", path.read_bytes(), content_type="text/csv")


def _upload(client, **fields):
    return client.post("/api/engine/backtests", fields, format="multipart")


def test_backtest_runs_the_stored_config_over_the_uploaded_bars(
    tmp_path, eager_celery, django_capture_on_commit_callbacks
):
    make_portfolio("alpha", strategy={"name": "sma_cross", "params": {"period": 5}})
    client = client_for("developer")

    with django_capture_on_commit_callbacks(execute=True):
        queued = _upload(client, portfolio_id="alpha", bars=_bars(tmp_path))
    run = client.get(f"/api/engine/backtests/{queued.json()['id']}").json()

    assert queued.status_code == 202
    assert queued.json()["status"] == "queued"
    assert run["status"] == "done", run["error"]
    assert (run["symbol"], run["portfolio_version"]) == ("AAPL", 1)
    assert run["result"]["bars"] == 120
    assert run["result"]["trade_count"] > 0
    assert run["started_at"] <= run["finished_at"]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (b"2026-01-02,1,x,1,1,1", "invalid number"),
        (b"2026-01-02,0,0,0,0,1", "open 0 is not above 0"),
        (b"2026-01-02,500,101,99,100,1", "open 500 is above high 101"),
        (b"2026-01-02,100,101,99,NaN,1", "close is not a finite number (NaN)"),
    ],
)
def test_bad_bars_fail_the_run_with_the_line_named(
    eager_celery, django_capture_on_commit_callbacks, row, problem
):
    make_portfolio("alpha")
    bars = SimpleUploadedFile("x.csv", b"Date,Open,High,Low,Close,Volume\n" + row + b"\n")

    with django_capture_on_commit_callbacks(execute=True):
        queued = _upload(client_for("developer"), portfolio_id="alpha", bars=bars)

    run = models.Backtest.objects.get(pk=queued.json()["id"])
    assert run.status == "failed"
    assert run.error == f"bars.csv:2: bad row {row.decode()!r}: {problem}"
    assert run.result is None


def test_a_symbol_outside_the_portfolio_is_a_400(tmp_path):
    make_portfolio("alpha")

    response = _upload(
        client_for("developer"), portfolio_id="alpha", symbol="TSLA", bars=_bars(tmp_path)
    )

    assert response.status_code == 400
    assert "symbol" in response.json()["error"]["fields"]
    assert not models.Backtest.objects.exists()


def test_an_unknown_portfolio_is_a_400_naming_portfolio_id(tmp_path):
    response = _upload(client_for("developer"), portfolio_id="ghost", bars=_bars(tmp_path))

    assert response.status_code == 400
    assert "portfolio_id" in response.json()["error"]["fields"]


def test_a_missing_file_is_a_400_naming_bars():
    make_portfolio("alpha")

    response = _upload(client_for("developer"), portfolio_id="alpha")

    assert response.status_code == 400
    assert "bars" in response.json()["error"]["fields"]


def test_runs_are_listed_newest_first_and_filtered_by_status(tmp_path):
    make_portfolio("alpha")
    client = client_for("developer")
    first = _upload(client, portfolio_id="alpha", bars=_bars(tmp_path)).json()
    second = _upload(client, portfolio_id="alpha", bars=_bars(tmp_path)).json()

    listed = client_for("viewer").get("/api/engine/backtests").json()
    done = client_for("viewer").get("/api/engine/backtests?status=done").json()

    assert [run["id"] for run in listed["results"]] == [second["id"], first["id"]]
    assert "result" not in listed["results"][0]
    assert done["count"] == 0


def test_an_unknown_run_is_a_404():
    response = client_for("viewer").get("/api/engine/backtests/999999")

    assert response.status_code == 404
