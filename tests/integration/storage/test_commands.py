"""Upstream: (entry point: pytest)
Downstream: tests.integration.storage.factories, trading.core.testing.random_walk, trading.services.trade_mirror, trading.storage.stores
Role: the storage commands: import_bars (idempotent, with progress), export_trades (CSV), data_health (table, exit status), clickhouse_schema (idempotent)."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from tests.integration.storage import factories
from trading.core.testing.random_walk import random_walk, write_bars_csv
from trading.services.trade_mirror import trade_mirror_run
from trading.storage.stores import bar_store, clickhouse

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_importing_a_file_twice_stores_its_bars_once(clickhouse_store, tmp_path, capsys):
    path = write_bars_csv(tmp_path / "AAPL.csv", random_walk(1000, seed=9, symbol="AAPL"))

    first = _run("import_bars", str(path), "--batch", "300")
    second = _run("import_bars", str(path), "--symbol", "AAPL")

    ((stored,),) = clickhouse().execute("SELECT count() FROM bars FINAL")
    assert first.strip() == f"{path}: 1000 bar(s) into the clickhouse store"
    assert second.strip() == first.strip()
    assert stored == 1000
    assert "AAPL.csv: 1,000 rows in" in capsys.readouterr().err


def test_several_files_go_to_the_sql_store_under_their_own_symbols(sql_store, tmp_path):
    paths = [
        write_bars_csv(tmp_path / f"{s}.csv", random_walk(20, seed=1, symbol=s)) for s in ("A", "B")
    ]

    _run("import_bars", *map(str, paths), "--interval", "1d")

    assert [len(list(bar_store().bars(s))) for s in ("A", "B")] == [20, 20]


def test_a_bad_row_stops_the_import_naming_file_and_line(sql_store, tmp_path):
    path = tmp_path / "BAD.csv"
    path.write_text("Date,Open,High,Low,Close,Volume\n2024-01-02,1,2,1,1,1\n2024-01-01,1,2,1,1,1\n")

    with pytest.raises(
        CommandError, match=r"BAD.csv:3: bad row .*: time .* is not after 2024-01-02"
    ):
        _run("import_bars", str(path))


def test_with_skip_bad_each_bad_row_is_reported_and_the_others_imported(sql_store, tmp_path):
    path = tmp_path / "BAD.csv"
    path.write_text(
        "Date,Open,High,Low,Close,Volume\n2024-01-02,100,101,99,100,10\n"
        "2024-01-03,500,101,99,100,10\n2024-01-04,0,0,0,0,10\n2024-01-05,100,101,99,100,NaN\n"
        "2024-01-08,100,101,99,100,10\n"
    )
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"BAD.csv:3: bad row .*: open 500 is above high 101"):
        _run("import_bars", str(path))
    call_command("import_bars", str(path), "--skip-bad", stdout=(out := io.StringIO()), stderr=err)

    assert out.getvalue().strip() == f"{path}: 2 bar(s) into the sql store, 3 bad row(s) skipped"
    assert err.getvalue().splitlines() == [
        f"skipped {path}:3: bad row '2024-01-03,500,101,99,100,10': open 500 is above high 101",
        f"skipped {path}:4: bad row '2024-01-04,0,0,0,0,10': open 0 is not above 0",
        f"skipped {path}:5: bad row '2024-01-05,100,101,99,100,NaN': volume is not a finite number (NaN)",
    ]
    assert [b.time.day for b in bar_store().bars("BAD")] == [2, 8]


def test_trades_are_exported_to_csv_for_a_portfolio_and_days(clickhouse_store, tmp_path):
    alpha = factories.portfolio()
    for number in range(1, 5):
        factories.fill(alpha, number, price=f"10{number}.5")
    factories.fill(factories.portfolio("beta"), 1)
    trade_mirror_run(settle=timedelta(0))
    out = tmp_path / "trades.csv"

    message = _run(
        "export_trades",
        str(out),
        "--portfolio",
        "alpha",
        "--from",
        "2024-01-04",
        "--to",
        "2024-01-05",
    )

    rows = list(csv.DictReader(out.open()))
    assert message.strip() == f"{out}: 2 trade(s) from the clickhouse store"
    assert [(r["fill_id"], r["price"]) for r in rows] == [
        ("alpha-F2", "102.5"),
        ("alpha-F3", "103.5"),
    ]
    assert rows[0]["executed_at"] == "2024-01-04T00:00:00.000002+00:00"


def test_data_health_prints_every_store_and_passes_when_all_answer(clickhouse_store, redis_url):
    table = _run("data_health")

    names = [line.split("  ")[0] for line in table.splitlines()[2:]]
    assert names == [
        "sql fills",
        "sql bars",
        "redis",
        "clickhouse bars",
        "clickhouse trades",
        "trade mirror",
    ]
    assert " fail " not in table


def test_data_health_fails_when_clickhouse_is_down(clickhouse_down, redis_url):
    out = io.StringIO()

    with pytest.raises(CommandError, match="failed: clickhouse bars, clickhouse trades"):
        call_command("data_health", stdout=out)

    assert "clickhouse at 127.0.0.1:" in out.getvalue()


def test_the_schema_command_can_run_again(clickhouse_database, settings):
    first = _run("clickhouse_schema")
    again = _run("clickhouse_schema")

    assert first.splitlines() == ["bars: created", "trades: created"]
    assert again.splitlines() == ["bars: already there", "trades: already there"]


def test_a_backtest_reads_its_bars_from_the_store_between_the_dates(clickhouse_store):
    bar_store().write_bars(list(random_walk(300, seed=6, symbol="AAPL")))

    summary = _run(
        "backtest", "--store", "--symbol", "AAPL", "--strategy", "sma_cross", "--cash", "10000",
        "--from", "2024-02-01", "--to", "2024-02-29", "--json",
    )  # fmt: skip

    result = json.loads(summary)
    assert result["bars"] == 29
    assert (result["start"][:10], result["end"][:10]) == ("2024-02-01", "2024-02-29")


def test_a_backtest_from_an_unavailable_store_names_it(clickhouse_down):
    with pytest.raises(CommandError, match=r"clickhouse at 127\.0\.0\.1:"):
        _run("backtest", "--store", "--symbol", "AAPL", "--strategy", "sma_cross", "--cash", "1")
