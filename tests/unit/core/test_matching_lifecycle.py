"""Upstream: (entry point: pytest)
Downstream: trading.core.enums, trading.core.matching.commissions, trading.core.matching.engine, trading.core.matching.slippage, trading.core.orders.events, trading.core.testing.builders
Role: the paper venue over time: acceptance, duplicates, cancels, expiry, partial fills, costs, deterministic ids."""

from datetime import timedelta
from decimal import Decimal

from trading.core.enums import OrderType, Side, TimeInForce
from trading.core.matching.commissions import PercentCommission, PerShareCommission
from trading.core.matching.engine import PaperMatchingEngine
from trading.core.matching.slippage import BpsSlippage, TickSlippage
from trading.core.orders.events import (
    Fill,
    OrderAccepted,
    OrderCancelled,
    OrderExpired,
    OrderRejected,
)
from trading.core.testing.builders import T0, bar, order, tick, utc

BUY, SELL = Side.BUY, Side.SELL


def test_submit_accepts_and_a_resend_of_the_same_id_does_nothing() -> None:
    venue = PaperMatchingEngine("V")

    first = venue.submit(order(BUY, 10), T0)
    again = venue.submit(order(BUY, 10), T0)

    assert first == [OrderAccepted("P1-0-1", T0)]
    assert again == []
    assert len(venue.open_orders) == 1


def test_a_gtd_order_already_past_its_time_is_rejected() -> None:
    venue = PaperMatchingEngine("V")
    late = order(BUY, 1, time_in_force=TimeInForce.GTD, expire_at=T0)

    (report,) = venue.submit(late, T0)

    assert isinstance(report, OrderRejected)
    assert "already passed" in report.reason


def test_cancel_withdraws_a_working_order_once() -> None:
    venue = PaperMatchingEngine("V")
    venue.submit(order(BUY, 10), T0)

    assert venue.cancel("P1-0-1", T0) == [OrderCancelled("P1-0-1", T0, "cancelled on request")]
    assert venue.cancel("P1-0-1", T0) == []
    assert venue.on_price(bar(100, time=T0 + timedelta(days=1))) == []


def _limit(**kwargs: object) -> object:
    return order(BUY, 10, order_type=OrderType.LIMIT, limit=90, **kwargs)  # type: ignore[arg-type]


def test_a_day_order_expires_when_its_trading_day_ends_unfilled() -> None:
    venue = PaperMatchingEngine("V")
    venue.submit(_limit(time_in_force=TimeInForce.DAY, created_at=utc("2024-01-02T10:00")), T0)

    same_day = venue.on_price(bar(100, time=utc("2024-01-02T15:59")))
    next_day = venue.on_price(bar(100, time=utc("2024-01-03T09:30")))

    assert same_day == []
    assert next_day == [OrderExpired("P1-0-1", utc("2024-01-03T09:30"))]
    assert venue.open_orders == []


def test_a_day_order_made_on_a_daily_close_trades_through_the_next_day() -> None:
    venue = PaperMatchingEngine("V")
    venue.submit(order(BUY, 10, time_in_force=TimeInForce.DAY), T0)

    (report,) = venue.on_price(bar(100, open=99, time=T0 + timedelta(days=1)))

    assert isinstance(report, Fill)
    assert report.price == 99


def test_a_gtd_order_expires_at_its_time() -> None:
    venue = PaperMatchingEngine("V")
    deadline = utc("2024-01-02T12:00")
    venue.submit(_limit(time_in_force=TimeInForce.GTD, expire_at=deadline), T0)

    before = venue.on_price(bar(100, time=utc("2024-01-02T11:59")))
    at = venue.on_price(bar(100, time=deadline))

    assert before == []
    assert at == [OrderExpired("P1-0-1", deadline)]


def test_a_gtc_order_works_until_it_fills() -> None:
    venue = PaperMatchingEngine("V")
    venue.submit(_limit(), T0)
    for day in range(1, 30):
        assert venue.on_price(bar(100, time=T0 + timedelta(days=day))) == []

    (report,) = venue.on_price(bar(95, low=89, open=95, time=T0 + timedelta(days=30)))

    assert isinstance(report, Fill)


def test_fills_are_capped_at_a_share_of_each_bars_volume() -> None:
    venue = PaperMatchingEngine("V", volume_limit=Decimal("0.1"))
    venue.submit(order(BUY, 250), T0)

    quantities = [
        [r.quantity for r in venue.on_price(bar(100, volume=1000, time=T0 + timedelta(days=d)))]
        for d in (1, 2, 3, 4)
    ]

    assert quantities == [[100], [100], [50], []]


def test_volume_cap_is_off_for_bars_without_volume() -> None:
    venue = PaperMatchingEngine("V", volume_limit=Decimal("0.1"))
    venue.submit(order(BUY, 250), T0)

    (report,) = venue.on_price(bar(100, volume=0, time=T0 + timedelta(days=1)))

    assert report.quantity == 250  # type: ignore[union-attr]


def test_a_partially_filled_day_order_expires_with_its_rest() -> None:
    venue = PaperMatchingEngine("V", volume_limit=Decimal("0.1"))
    venue.submit(order(BUY, 250, time_in_force=TimeInForce.DAY), T0)
    venue.on_price(bar(100, volume=1000, time=T0 + timedelta(days=1)))

    reports = venue.on_price(bar(100, volume=1000, time=T0 + timedelta(days=2)))

    assert reports == [OrderExpired("P1-0-1", T0 + timedelta(days=2))]


def test_commission_is_charged_on_every_fill() -> None:
    venue = PaperMatchingEngine("V", commission=PerShareCommission(Decimal("0.01"), Decimal(1)))
    venue.submit(order(BUY, 500), T0)

    (report,) = venue.on_price(bar(100, time=T0 + timedelta(days=1)))

    assert report.commission == 5  # type: ignore[union-attr]


def test_tick_slippage_moves_market_fills_against_the_trader() -> None:
    venue = PaperMatchingEngine("V", slippage=TickSlippage(2, Decimal("0.05")))
    venue.submit(order(BUY, 1), T0)
    venue.submit(order(SELL, 1, client_order_id="P1-0-2"), T0)

    reports = venue.on_price(bar(100, time=T0 + timedelta(days=1)))

    assert [r.price for r in reports] == [Decimal("100.10"), Decimal("99.90")]  # type: ignore[union-attr]


def test_bps_slippage_scales_with_the_price() -> None:
    venue = PaperMatchingEngine("V", slippage=BpsSlippage(Decimal(10)))
    venue.submit(order(SELL, 1), T0)

    (report,) = venue.on_price(bar(200, time=T0 + timedelta(days=1)))

    assert report.price == Decimal("199.8")  # type: ignore[union-attr]


def test_slippage_never_pushes_a_limit_fill_past_its_limit() -> None:
    venue = PaperMatchingEngine("V", slippage=TickSlippage(5, Decimal("0.1")))
    venue.submit(order(BUY, 1, order_type=OrderType.LIMIT, limit=100), T0)

    (report,) = venue.on_price(bar(101, open=101, low=99, time=T0 + timedelta(days=1)))

    assert report.price == 100  # type: ignore[union-attr]


def test_the_same_run_gives_the_same_reports_and_fill_ids() -> None:
    def run() -> list[object]:
        venue = PaperMatchingEngine("paper", commission=PercentCommission(Decimal("0.1")))
        said: list[object] = []
        for n in range(1, 4):
            said += venue.submit(order(BUY, n, client_order_id=f"P1-0-{n}"), T0)
        said += venue.on_price(bar(100, time=T0 + timedelta(days=1)))
        return said

    first, second = run(), run()

    assert first == second
    fill_ids = [r.fill_id for r in first if isinstance(r, Fill)]
    assert fill_ids == ["paper:P1-0-1:1", "paper:P1-0-2:1", "paper:P1-0-3:1"]


def test_fill_ids_number_the_fills_of_each_order() -> None:
    venue = PaperMatchingEngine("paper", volume_limit=Decimal("0.1"))
    venue.submit(order(BUY, 150), T0)

    reports = [
        r
        for day in (1, 2)
        for r in venue.on_price(bar(100, volume=1000, time=T0 + timedelta(days=day)))
    ]

    assert [r.fill_id for r in reports] == ["paper:P1-0-1:1", "paper:P1-0-1:2"]  # type: ignore[union-attr]


def test_a_resumed_order_continues_where_the_previous_engine_stopped() -> None:
    venue = PaperMatchingEngine("paper")
    venue.resume(order(BUY, 150), filled=Decimal(100), fills=1)

    resent = venue.submit(order(BUY, 150), T0)
    (report,) = venue.on_price(bar(100, time=T0 + timedelta(days=1)))

    assert resent == []
    assert (report.fill_id, report.quantity) == ("paper:P1-0-1:2", 50)  # type: ignore[union-attr]


def test_a_resumed_triggered_stop_limit_works_as_a_limit() -> None:
    venue = PaperMatchingEngine("paper")
    stop_limit = order(BUY, 1, order_type=OrderType.STOP_LIMIT, stop=100, limit=99)
    venue.resume(stop_limit, filled=Decimal(0), fills=0, triggered=True)

    (report,) = venue.on_price(bar(98, open=98, high=98, low=97, time=T0 + timedelta(days=1)))

    assert report.price == 98  # type: ignore[union-attr]


def test_on_ticks_a_market_order_fills_at_the_next_ticks_price() -> None:
    venue = PaperMatchingEngine("V")
    venue.submit(order(BUY, 5), T0)

    same_time = venue.on_price(tick(100, time=T0))
    (report,) = venue.on_price(tick("100.25", time=T0 + timedelta(seconds=1)))

    assert same_time == []
    assert report.price == Decimal("100.25")  # type: ignore[union-attr]


def test_on_ticks_limits_and_stops_fill_at_the_ticks_price_once_reached() -> None:
    venue = PaperMatchingEngine("V")
    venue.submit(order(BUY, 1, order_type=OrderType.LIMIT, limit=99), T0)
    venue.submit(order(SELL, 1, order_type=OrderType.STOP, stop=98, client_order_id="P1-0-2"), T0)
    prices = ["99.5", "98.5", "97"]

    fills = [
        [
            (r.client_order_id, r.price)
            for r in venue.on_price(tick(p, time=T0 + timedelta(seconds=i + 1)))
        ]
        for i, p in enumerate(prices)
    ]

    assert fills == [[], [("P1-0-1", Decimal("98.5"))], [("P1-0-2", Decimal(97))]]


def test_on_ticks_a_stop_limit_waits_for_its_limit_after_the_trigger() -> None:
    venue = PaperMatchingEngine("V")
    venue.submit(order(BUY, 1, order_type=OrderType.STOP_LIMIT, stop=100, limit=100), T0)

    reports = [
        venue.on_price(tick(p, time=T0 + timedelta(seconds=i + 1)))
        for i, p in enumerate(["99", "101", "100"])
    ]

    assert [[r.price for r in said] for said in reports] == [[], [], [100]]  # type: ignore[union-attr]


def test_tick_fills_are_capped_by_the_ticks_size() -> None:
    venue = PaperMatchingEngine("V", volume_limit=Decimal("0.5"))
    venue.submit(order(BUY, 100), T0)

    (report,) = venue.on_price(tick(10, size=60, time=T0 + timedelta(seconds=1)))

    assert report.quantity == 30  # type: ignore[union-attr]
