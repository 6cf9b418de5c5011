"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack, tests.integration.storage.factories, trading.models, trading.services.trade_mirror, trading.storage.schema, trading.storage.stores
Role: the trade mirror copies fills past its mark in batches, pauses while ClickHouse is down (trading unaffected) and catches up without duplicates."""

from datetime import timedelta

import pytest

from ginkgo_site.devstack import start_clickhouse
from tests.integration.storage import factories
from trading import models
from trading.services.trade_mirror import MIRROR, trade_mirror_lag, trade_mirror_run
from trading.storage.schema import schema_create
from trading.storage.stores import trade_store

pytestmark = pytest.mark.django_db
NOW = timedelta(0)


def _mirrored_ids() -> list[str]:
    return [trade.fill_id for trade in trade_store().trades()]


def test_fills_are_copied_in_batches_and_a_second_run_copies_only_new_ones(clickhouse_store):
    alpha = factories.portfolio()
    for number in range(1, 6):
        factories.fill(alpha, number)

    first = trade_mirror_run(batch_size=2, settle=NOW)
    factories.fill(alpha, 6)
    second = trade_mirror_run(batch_size=2, settle=NOW)

    progress = models.MirrorProgress.objects.get(pk=MIRROR)
    assert (first.copied, first.caught_up, second.copied) == (5, True, 1)
    assert _mirrored_ids() == [f"alpha-F{n}" for n in range(1, 7)]
    assert (progress.fill_id, progress.mirrored, progress.last_error) == ("alpha-F6", 6, "")
    assert trade_mirror_lag().pending == 0


def test_fills_younger_than_the_settle_time_wait_for_the_next_run(clickhouse_store):
    factories.fill(factories.portfolio(), 1)

    run = trade_mirror_run(settle=timedelta(minutes=5))

    assert run.copied == 0
    assert trade_mirror_lag().pending == 1


def test_a_batch_sent_again_after_a_crash_is_not_duplicated(clickhouse_store):
    alpha = factories.portfolio()
    for number in range(1, 4):
        factories.fill(alpha, number)
    trade_mirror_run(settle=NOW)
    # As if the mirror died after inserting, before moving its mark.
    models.MirrorProgress.objects.filter(pk=MIRROR).update(recorded_at=None, fill_id="")

    again = trade_mirror_run(settle=NOW)

    assert again.copied == 3
    assert _mirrored_ids() == ["alpha-F1", "alpha-F2", "alpha-F3"]
    assert trade_store().count_trades() == 3


def test_while_clickhouse_is_down_fills_still_go_to_sql_and_the_mirror_catches_up_after(
    settings, clickhouse_store, clickhouse_down
):
    alpha = factories.portfolio()
    factories.fill(alpha, 1)

    paused = trade_mirror_run(settle=NOW)
    factories.fill(alpha, 2)  # trading goes on: the system of record takes the fill
    lag = trade_mirror_lag()
    settings.CLICKHOUSE_URL = clickhouse_store
    resumed = trade_mirror_run(settle=NOW)

    assert (paused.copied, paused.caught_up) == (0, False)
    assert paused.error.startswith("clickhouse at 127.0.0.1:")
    assert (lag.pending, lag.last_error) == (2, paused.error)
    assert (resumed.copied, resumed.error) == (2, "")
    assert _mirrored_ids() == ["alpha-F1", "alpha-F2"]
    assert trade_mirror_lag().last_error == ""


def test_the_mirror_survives_a_clickhouse_restart_and_loses_nothing(settings, tmp_path):
    server = start_clickhouse(tmp_path / "clickhouse")
    try:
        settings.CLICKHOUSE_URL = server.url
        schema_create(server.url)
        alpha = factories.portfolio()
        factories.fill(alpha, 1)
        trade_mirror_run(settle=NOW)
        port = int(server.url.split(":")[2].split("/")[0])
        server.stop(timeout=1.0)  # a crash, as far as ClickHouse can tell

        factories.fill(alpha, 2)
        while_down = trade_mirror_run(settle=NOW)
        server = start_clickhouse(tmp_path / "clickhouse", port=port)
        after = trade_mirror_run(settle=NOW)

        assert while_down.error and while_down.copied == 0
        assert after.copied == 1
        assert _mirrored_ids() == ["alpha-F1", "alpha-F2"]
    finally:
        server.stop(timeout=1.0)
