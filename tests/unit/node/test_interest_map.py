"""Upstream: (entry point: pytest)
Downstream: trading.node.interest
Role: the interest map: symbol lookups, changes as portfolios come and go, snapshot reads during writes."""

import threading

from trading.node.interest import InterestMap


def test_a_symbol_maps_to_every_portfolio_that_wants_it() -> None:
    interest = InterestMap()

    interest.set("P2", ["AAA", "CCC"])
    interest.set("P1", ["AAA", "BBB"])

    assert interest.lookup("AAA") == ("P1", "P2")
    assert interest.lookup("BBB") == ("P1",)
    assert interest.lookup("ZZZ") == ()
    assert interest.symbols == {"AAA", "BBB", "CCC"}


def test_changes_report_whether_the_nodes_symbol_set_changed() -> None:
    interest = InterestMap()
    interest.set("P1", ["AAA"])

    same_symbols = interest.set("P2", ["AAA"])
    new_symbol = interest.set("P2", ["AAA", "BBB"])
    shared_left = interest.remove("P1")
    last_left = interest.remove("P2")
    unknown_left = interest.remove("P9")

    assert (same_symbols, new_symbol, shared_left, last_left, unknown_left) == (
        False,
        True,
        False,
        True,
        False,
    )
    assert interest.symbols == frozenset()


def test_setting_a_portfolio_again_replaces_its_symbols() -> None:
    interest = InterestMap()
    interest.set("P1", ["AAA", "BBB"])

    interest.set("P1", ["CCC"])

    assert interest.lookup("AAA") == ()
    assert interest.lookup("CCC") == ("P1",)
    assert dict(interest.portfolios) == {"P1": frozenset({"CCC"})}


def test_readers_always_see_a_complete_map_while_writers_change_it() -> None:
    interest = InterestMap()
    interest.set("P0", ["AAA"])
    stop = threading.Event()
    seen: set[tuple[str, ...]] = set()

    def read() -> None:
        while not stop.is_set():
            seen.add(interest.lookup("AAA"))

    reader = threading.Thread(target=read)
    reader.start()
    for _ in range(2000):
        interest.set("P1", ["AAA"])
        interest.remove("P1")
    stop.set()
    reader.join()

    assert seen <= {("P0",), ("P0", "P1")}
