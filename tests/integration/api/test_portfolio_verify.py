"""Upstream: (entry point: pytest)
Downstream: monitoring.notifications.kinds, monitoring.notifications.publish, tests.integration.api.factories, tests.integration.rows, trading.bus.messages, trading.bus.topics, trading.core.backtest.compare, trading.core.backtest.engine, trading.core.market, trading.core.testing.builders, trading.core.testing.random_walk, trading.models, trading.node.spans, trading.services.portfolio_state, trading.services.portfolios, trading.services.replays, trading.storage.stores, trading.tasks
Role: the paper twin: a portfolio whose recorded fills the engine made over the stored bars verifies equal, span by span across versions (the node's spans in its checkpoints); an altered fill is named as the first divergence with both sides, by the command, the API and, once, the periodic task's notice."""

import json
import time
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from monitoring.notifications import kinds
from monitoring.notifications.publish import notice_producers_close
from tests.integration.api.factories import client_for, make_portfolio
from tests.integration.rows import filled_order
from trading import models
from trading.bus.messages import Notification
from trading.bus.topics import NOTIFICATIONS
from trading.core.backtest.compare import fill_row, plain
from trading.core.backtest.engine import Span, backtest_versions
from trading.core.market import Bar
from trading.core.testing.builders import T0
from trading.core.testing.random_walk import random_walk
from trading.node.spans import LiveSpan, with_spans
from trading.services.portfolio_state import portfolio_checkpoint_save, portfolio_fill_list
from trading.services.portfolios import portfolio_update
from trading.services.replays import portfolio_version_config, stored_bars
from trading.storage.stores import bar_store
from trading.tasks import portfolio_verify_task

pytestmark = pytest.mark.django_db

SYMBOLS = ["AAA", "BBB"]
V2_STRATEGY = {"name": "sma_cross", "params": {"period": 9, "size": 10}}


def _day(n: int) -> Any:
    return T0 + timedelta(days=n)


@pytest.fixture
def pair(settings) -> models.Portfolio:
    """Portfolio "pair" (AAA and BBB, meant to run), 150 days of their bars in the store."""
    settings.CLICKHOUSE_URL = ""
    walks = [
        list(random_walk(150, seed=s, volatility=0.03, symbol=n)) for s, n in enumerate(SYMBOLS)
    ]
    bar_store().write_bars([bar for walk in walks for bar in walk])
    portfolio = make_portfolio(
        "pair",
        symbols=SYMBOLS,
        strategy={"name": "sma_cross", "params": {"period": 5, "size": 10}},
        sizer={"name": "fixed", "params": {"quantity": "10"}},
        risks=[{"name": "loss_limit", "params": {"max_loss": "0.05"}}],
    )
    models.Portfolio.objects.filter(pk="pair").update(desired_state=models.DesiredState.RUNNING)
    return portfolio


def _live(portfolio: models.Portfolio, spans: list[tuple[int, int, int]]) -> None:
    """What the portfolio did live, as the engine would have done it: ``spans`` of (version,
    first day, last day); the fills recorded and the checkpoints saved as a node saves them,
    with its live spans."""
    runs, handled = [], 0
    for version, first, last in spans:
        config = portfolio_version_config(portfolio_id="pair", version=version)
        bars: list[Bar] = list(stored_bars(config.symbols, _day(first), _day(last + 1)))
        runs.append(Span(config, bars))
        handled += len(bars)
        recorded = [
            LiveSpan(done, _day(start), _day(end)) for done, start, end in spans if done <= version
        ]
        portfolio_checkpoint_save(
            portfolio_id="pair",
            run_epoch=version,
            version=version,
            node_id="n1",
            reason="periodic",
            state=with_spans({}, recorded),
            symbol_times={symbol: _day(last).isoformat() for symbol in SYMBOLS},
            processed=handled,
            last_event_time=_day(last),
        )
    for number, fill in enumerate(backtest_versions(runs).trades):
        filled_order(
            portfolio,
            client_order_id=f"pair-{number}",
            fill_id=f"F{number}",
            side=fill.side.value,
            quantity=str(fill.quantity),
            price=str(fill.price),
            symbol=fill.symbol,
            at=fill.time,
        )


def _verify_json() -> dict[str, Any]:
    out = StringIO()
    call_command("portfolio_verify", "pair", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_fills_the_engine_made_over_the_stored_bars_verify_equal(pair) -> None:
    _live(pair, [(1, 20, 120)])

    report = _verify_json()
    answer = client_for("viewer").get("/api/portfolio/pair/verify")

    assert report["equal"] is True
    assert report["live_fills"] == report["replayed_fills"] == report["matched"] > 0
    assert report["first_divergence"] is None
    assert report["until"] == _day(120).isoformat()
    assert report["spans"] == [
        {
            "version": 1,
            "first_event_time": _day(20).isoformat(),
            "last_event_time": _day(120).isoformat(),
            "bars": 2 * 101,
        }
    ]
    assert answer.status_code == 200
    assert answer.json() == report


def test_an_altered_fill_is_named_as_the_first_divergence_with_both_sides(pair) -> None:
    _live(pair, [(1, 20, 120)])
    fourth = sorted(portfolio_fill_list(portfolio_id="pair"), key=lambda f: (f.time, f.symbol))[3]
    models.Fill.objects.filter(pk=fourth.fill_id).update(price=fourth.price + 1)

    report = _verify_json()
    summary = StringIO()
    call_command("portfolio_verify", "pair", stdout=summary)

    assert report["equal"] is False
    assert report["matched"] == 3
    assert report["first_divergence"] == {
        "index": 3,
        "live": {**fill_row(fourth), "price": plain(fourth.price + 1)},
        "replayed": fill_row(fourth),
    }
    assert "DIVERGED" in summary.getvalue()
    assert f"live     {fourth.time.isoformat()}" in summary.getvalue()


def test_a_reload_is_replayed_span_by_span_with_positions_carried(pair) -> None:
    portfolio_update(actor=None, portfolio_id="pair", data={"strategy": V2_STRATEGY})
    _live(pair, [(1, 20, 80), (2, 81, 140)])

    report = _verify_json()

    assert report["equal"] is True, report["first_divergence"]
    assert [(s["version"], s["first_event_time"], s["bars"]) for s in report["spans"]] == [
        (1, _day(20).isoformat(), 2 * 61),
        (2, _day(81).isoformat(), 2 * 60),
    ]
    assert report["live_fills"] > 0


def test_fills_after_the_last_stored_bar_are_not_compared(pair) -> None:
    _live(pair, [(1, 20, 149)])
    # Live went on with ticks (not stored) and traded on one.
    filled_order(
        pair,
        client_order_id="pair-tick",
        fill_id="T1",
        side="buy",
        quantity="1",
        price="99",
        symbol="AAA",
        at=_day(160),
    )
    portfolio_checkpoint_save(
        portfolio_id="pair",
        run_epoch=1,
        version=1,
        node_id="n1",
        reason="periodic",
        state=with_spans({}, [LiveSpan(1, _day(20), _day(170))]),
        symbol_times={},
        processed=0,
        last_event_time=_day(170),
    )

    report = _verify_json()

    assert (report["equal"], report["until"]) == (True, _day(149).isoformat())
    assert report["live_fills"] == models.Fill.objects.filter(portfolio_id="pair").count() - 1


def test_a_portfolio_without_live_history_has_nothing_to_diverge(pair) -> None:
    report = _verify_json()

    assert (report["equal"], report["spans"], report["live_fills"], report["until"]) == (
        True,
        [],
        0,
        None,
    )
    assert client_for("viewer").get("/api/portfolio/nope/verify").status_code == 404


def test_the_periodic_task_notices_a_divergence_once(pair, record, redis_prefix) -> None:
    notices = record(NOTIFICATIONS)
    _live(pair, [(1, 20, 120)])
    make_portfolio("calm", symbols=["AAA"])  # stopped: not verified

    assert portfolio_verify_task() == 0
    altered = models.Fill.objects.filter(portfolio_id="pair").order_by("executed_at").first()
    assert altered is not None
    altered.quantity += 1
    altered.save()
    assert portfolio_verify_task() == 1
    assert portfolio_verify_task() == 1
    notice_producers_close()

    (notice,) = notices.wait_for(Notification)
    time.sleep(1.0)  # nothing else comes
    assert len(notices.of(Notification)) == 1
    assert (notice.kind, notice.portfolio_id, notice.level) == (
        kinds.PORTFOLIO_DIVERGED,
        "pair",
        "warning",
    )
    assert notice.message.startswith("pair: live differs from its replay at fill 1: live ")
