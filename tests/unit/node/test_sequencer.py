"""Upstream: (entry point: pytest)
Downstream: trading.core.enums, trading.core.orders.events, trading.core.orders.order, trading.core.orders.state, trading.core.testing.builders, trading.node.sequencer
Role: the node-side ordering of one portfolio's inputs: a bar waits for the fills of its time, bars of one time go in symbol order, and every wait is bounded, counted and told."""

from datetime import datetime, timedelta

from trading.core.enums import Side
from trading.core.orders.events import OrderAccepted, OrderRejected
from trading.core.orders.order import Order
from trading.core.orders.state import TrackedOrder
from trading.core.testing.builders import T0, bar, fill, order, tick
from trading.node.sequencer import Due, EventSequencer, ExecutedThrough

WAIT = 5.0


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


class Orders:
    """The working orders a pipeline would report: at most one per symbol."""

    def __init__(self) -> None:
        self.orders: dict[str, Order] = {}

    @property
    def working(self) -> dict[str, str]:
        return {symbol: placed.client_order_id for symbol, placed in self.orders.items()}

    def order(self, client_order_id: str) -> TrackedOrder | None:
        for placed in self.orders.values():
            if placed.client_order_id == client_order_id:
                return TrackedOrder(placed)
        return None

    def place(self, symbol: str, created: datetime) -> Order:
        placed = order(symbol=symbol, created_at=created, client_order_id=f"{symbol}-{created}")
        self.orders[symbol] = placed
        return placed

    def done(self, symbol: str) -> None:
        del self.orders[symbol]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def sequencer(*symbols: str, orders: Orders | None = None, clock: Clock | None = None):
    expired: list[Due] = []
    seq = EventSequencer(
        symbols or ("AAA",),
        orders or Orders(),
        wait=WAIT,
        on_expired=expired.append,
        clock=clock or Clock(),
    )
    return seq, expired


def drain(seq: EventSequencer) -> list:
    out = []
    while (item := seq.pop()) is not None:
        out.append(item)
    return out


def test_without_working_orders_a_single_symbol_goes_straight_through() -> None:
    seq, _ = sequencer()
    bars = [bar(100, time=day(n)) for n in range(3)]

    handed = []
    for item in bars:
        seq.add(item)
        handed += drain(seq)

    assert handed == bars
    assert (len(seq), seq.wait_time()) == (0, None)


def test_a_bar_waits_for_the_fill_of_an_order_working_since_before_it_and_the_fill_goes_first() -> (
    None
):
    orders = Orders()
    seq, expired = sequencer(orders=orders)
    working = orders.place("AAA", day(1))
    next_bar = bar(101, time=day(2))

    seq.add(next_bar)
    assert drain(seq) == []
    assert len(seq) == 1 and seq.wait_time() == WAIT

    filled = fill(Side.BUY, 10, 101, client_order_id=working.client_order_id, time=day(2))
    seq.add(filled)
    assert seq.pop() is filled
    orders.done("AAA")  # the pipeline booked it: the order is done

    assert drain(seq) == [next_bar]
    assert expired == []


def test_a_watermark_through_the_bar_time_releases_it_an_older_one_does_not() -> None:
    orders = Orders()
    seq, _ = sequencer(orders=orders)
    working = orders.place("AAA", day(1))  # a limit order, say: it stays working
    seq.add(bar(101, time=day(3)))

    seq.add(ExecutedThrough(working.client_order_id, "AAA", day(2)))
    assert drain(seq) == []
    seq.add(ExecutedThrough("BBB-1", "BBB", day(3)))
    assert drain(seq) == []
    seq.add(ExecutedThrough(working.client_order_id, "AAA", day(3)))
    assert [b.time for b in drain(seq)] == [day(3)]


def test_a_watermark_of_an_earlier_order_does_not_release_a_bar_for_the_next_one() -> None:
    # The venue was ahead: it had day 3 when the day-1 order came in, filled it on day 2
    # and said "executed through day 3". The day-2 bar then made the next order.
    orders = Orders()
    seq, _ = sequencer(orders=orders)
    earlier = orders.place("AAA", day(1))
    seq.add(fill(client_order_id=earlier.client_order_id, time=day(2)))
    seq.add(ExecutedThrough(earlier.client_order_id, "AAA", day(3)))
    seq.add(bar(100, time=day(2)))
    assert [type(item).__name__ for item in drain(seq)] == ["Fill", "Bar"]
    orders.done("AAA")
    later = orders.place("AAA", day(2))

    seq.add(bar(101, time=day(3)))
    assert drain(seq) == []
    seq.add(ExecutedThrough(later.client_order_id, "AAA", day(3)))
    assert [b.time for b in drain(seq)] == [day(3)]


def test_an_order_made_at_the_bar_time_holds_nothing_nor_does_one_executed_through_it() -> None:
    orders = Orders()
    seq, _ = sequencer("AAA", "BBB", orders=orders)
    orders.place("AAA", day(2))
    other = orders.place("BBB", day(1))
    seq.add(ExecutedThrough(other.client_order_id, "BBB", day(2)))
    same_time = [bar(100, time=day(2)), bar(50, symbol="BBB", time=day(2))]

    for item in same_time:
        seq.add(item)

    assert drain(seq) == same_time


def test_a_wait_that_runs_out_lets_the_bar_go_counted_and_told_and_is_not_repeated() -> None:
    orders, clock = Orders(), Clock()
    seq, expired = sequencer(orders=orders, clock=clock)
    orders.place("AAA", day(1))
    seq.add(bar(101, time=day(2)))
    assert seq.pop() is None

    clock.now += WAIT - 0.1
    assert seq.pop() is None
    assert 0.0 < seq.wait_time() <= 0.1
    clock.now += 0.1
    assert [b.time for b in drain(seq)] == [day(2)]
    assert (seq.expired, expired) == (1, [Due.FILLS])
    assert seq.last_expired == (
        f"the bar of AAA at {day(2).isoformat()} went after 5 s without the fills of AAA"
    )

    # The venue is silent: the next bar does not wait again...
    seq.add(bar(102, time=day(3)))
    assert [b.time for b in drain(seq)] == [day(3)]
    # ...until it shows life: then bars wait for it again.
    seq.add(ExecutedThrough("AAA-1", "AAA", day(3)))
    seq.add(bar(103, time=day(4)))
    assert drain(seq) == []
    assert seq.expired == 1


def test_bars_of_one_time_go_in_symbol_order_whatever_order_they_arrive_in() -> None:
    seq, _ = sequencer("AAA", "BBB", "CCC")
    arrivals = [
        bar(3, symbol="CCC", time=day(1)),
        bar(1, symbol="AAA", time=day(1)),
        bar(2, symbol="BBB", time=day(1)),
        bar(3, symbol="CCC", time=day(2)),
        bar(2, symbol="BBB", time=day(2)),
    ]

    handed = []
    for item in arrivals:
        seq.add(item)
        handed += drain(seq)

    assert [(b.time, b.symbol) for b in handed] == [
        (day(1), "AAA"),
        (day(1), "BBB"),
        (day(1), "CCC"),
    ]
    seq.add(bar(1, symbol="AAA", time=day(2)))
    assert [(b.time, b.symbol) for b in drain(seq)] == [
        (day(2), "AAA"),
        (day(2), "BBB"),
        (day(2), "CCC"),
    ]


def test_a_fill_of_one_symbol_goes_between_the_bars_of_its_time_as_in_a_backtest() -> None:
    orders = Orders()
    seq, _ = sequencer("AAA", "BBB", orders=orders)
    working = orders.place("BBB", day(1))
    seq.add(bar(10, symbol="AAA", time=day(1)))
    seq.add(bar(20, symbol="BBB", time=day(1)))
    assert len(drain(seq)) == 2

    # LiveCore filled BBB on its day-2 bar before the node saw AAA's.
    filled = fill(
        Side.BUY, 10, 21, symbol="BBB", client_order_id=working.client_order_id, time=day(2)
    )
    seq.add(filled)
    seq.add(bar(21, symbol="BBB", time=day(2)))
    assert drain(seq) == []
    seq.add(bar(11, symbol="AAA", time=day(2)))

    handed = [seq.pop(), seq.pop()]
    assert [type(item).__name__ for item in handed] == ["Bar", "Fill"]
    assert handed[0].symbol == "AAA"
    orders.done("BBB")
    assert [(b.symbol, b.time) for b in drain(seq)] == [("BBB", day(2))]


def test_ticks_are_not_held_for_other_symbols() -> None:
    seq, _ = sequencer("AAA", "BBB")
    seq.add(tick(100, symbol="AAA", time=day(1)))

    assert [t.symbol for t in drain(seq)] == ["AAA"]


def test_a_symbol_that_never_publishes_holds_the_others_once_then_not_again() -> None:
    clock = Clock()
    seq, expired = sequencer("AAA", "ZZZ", clock=clock)
    seq.add(bar(1, time=day(1)))
    assert seq.pop() is None

    clock.now += WAIT
    assert [b.time for b in drain(seq)] == [day(1)]
    seq.add(bar(2, time=day(2)))
    assert [b.time for b in drain(seq)] == [day(2)]
    assert expired == [Due.MARKET]
    assert "without the market data of ZZZ" in seq.last_expired


def test_once_no_market_data_can_come_nothing_waits_for_it() -> None:
    seq, _ = sequencer("AAA", "BBB")
    seq.add(bar(1, time=day(1)))
    assert seq.pop() is None

    seq.close()

    assert [b.time for b in drain(seq)] == [day(1)]
    assert seq.expired == 0


def test_reports_wait_for_nothing_of_their_own_symbol_and_unknown_ones_pass_at_once() -> None:
    orders = Orders()
    seq, _ = sequencer(orders=orders)
    working = orders.place("AAA", day(1))
    accepted = OrderAccepted(working.client_order_id, day(1))
    late = OrderRejected("gone-1", "unknown", day(9))

    seq.add(late)
    seq.add(accepted)

    assert drain(seq) == [late, accepted]


def test_another_symbols_order_holds_an_update_only_for_that_symbols_prices_seen_so_far() -> None:
    orders = Orders()
    seq, _ = sequencer("AAA", "BBB", orders=orders)
    seq.add(tick(100, symbol="AAA", time=day(1)))
    assert len(drain(seq)) == 1
    working = orders.place("AAA", day(1))

    # No AAA price after the order yet: nothing of AAA's can fill before BBB's tick.
    seq.add(tick(50, symbol="BBB", time=day(2)))
    assert [t.symbol for t in drain(seq)] == ["BBB"]
    # Once an AAA price after the order is in, BBB waits for the venue to execute it.
    seq.add(tick(101, symbol="AAA", time=day(3)))
    seq.add(tick(51, symbol="BBB", time=day(4)))
    assert drain(seq) == []
    seq.add(ExecutedThrough(working.client_order_id, "AAA", day(3)))
    assert [t.symbol for t in drain(seq)] == ["AAA", "BBB"]
