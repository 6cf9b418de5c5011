"""Upstream: (entry point: pytest)
Downstream: trading.bus.mapping, trading.core.testing.builders, trading.node.backpressure, trading.node.inbox
Role: a portfolio queue under pressure: levels at 70% and 90%, the drop and conflate policies, feedback never refused."""

import pytest

from trading.bus.mapping import price_message
from trading.core.testing.builders import bar, fill
from trading.node.backpressure import Level, Policy, thresholds
from trading.node.inbox import PortfolioInbox


def price(close: int, symbol: str = "AAA"):
    return price_message(bar(close, symbol=symbol))


def fill_to(inbox: PortfolioInbox, count: int, symbol: str = "AAA") -> list[Level]:
    return [inbox.offer(price(100 + n, symbol=symbol)) for n in range(count)]


def drain(inbox: PortfolioInbox) -> list:
    inbox.close()
    return list(iter(lambda: inbox.take(0), None))


def test_levels_start_at_70_and_90_percent_of_capacity() -> None:
    inbox = PortfolioInbox(10)

    levels = fill_to(inbox, 10)

    # The level an offer meets is the usage before it: 7 queued is 70%, 9 queued is 90%.
    assert levels == [Level.NORMAL] * 7 + [Level.WARNING] * 2 + [Level.CRITICAL]
    assert (inbox.warnings, inbox.criticals) == (1, 1)


def test_drop_policy_drops_the_newest_updates_from_90_percent_and_counts_them() -> None:
    inbox = PortfolioInbox(10, Policy.DROP)

    fill_to(inbox, 15)

    assert len(inbox) == 9
    assert inbox.dropped == 6
    assert [update.close for update in drain(inbox)] == [100 + n for n in range(9)]


def test_conflate_policy_keeps_only_the_newest_queued_update_per_symbol_under_pressure() -> None:
    inbox = PortfolioInbox(10, Policy.CONFLATE)
    for n in range(7):
        inbox.offer(price(100 + n, symbol=f"S{n}"))

    inbox.offer(price(200, symbol="S1"))
    inbox.offer(price(201, symbol="S1"))
    inbox.offer(price(300, symbol="NEW"))

    updates = drain(inbox)
    assert [(u.symbol, u.close) for u in updates][:3] == [("S0", 100), ("S1", 201), ("S2", 102)]
    assert ("NEW", 300) in [(u.symbol, u.close) for u in updates]
    assert (inbox.conflated, inbox.dropped) == (2, 0)


def test_conflate_policy_drops_a_new_symbol_only_when_the_queue_is_full() -> None:
    inbox = PortfolioInbox(4, Policy.CONFLATE)
    for n in range(4):
        inbox.offer(price(100, symbol=f"S{n}"))

    inbox.offer(price(101, symbol="S9"))
    inbox.offer(price(102, symbol="S3"))

    assert len(inbox) == 4
    assert (inbox.dropped, inbox.conflated) == (1, 1)


def test_feedback_is_never_refused_and_is_taken_before_market_data() -> None:
    inbox = PortfolioInbox(10)
    fill_to(inbox, 12)
    report = fill()

    inbox.put_urgent(report)

    assert inbox.take(0) is report
    assert inbox.dropped == 3


def test_a_closed_inbox_refuses_market_data_but_drains_what_is_queued() -> None:
    inbox = PortfolioInbox(10)
    fill_to(inbox, 3)

    inbox.close()
    inbox.offer(price(1))

    assert len(drain(inbox)) == 3
    assert inbox.take(0) is None


def test_discard_drops_what_is_queued_and_counts_it() -> None:
    inbox = PortfolioInbox(10)
    fill_to(inbox, 5)

    discarded = inbox.discard()

    assert (discarded, inbox.dropped, len(inbox)) == (5, 5, 0)


def test_a_queue_smaller_than_two_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        thresholds(1)
