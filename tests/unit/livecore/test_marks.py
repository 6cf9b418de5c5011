"""Upstream: (entry point: pytest)
Downstream: trading.core.market, trading.livecore.marks
Role: MarkKeeper saves a feed's marks at most once a second and at the end, only once every published update was delivered, and keeps them through a failed save."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from trading.core.market import Tick
from trading.livecore.marks import FeedMark, FeedMarkStore, MarkKeeper, MarksUnavailable

T0 = datetime(2024, 1, 2, tzinfo=UTC)


class MemoryMarks(FeedMarkStore):
    """Marks in a dict; ``failing`` makes the next saves fail as a database fault would."""

    def __init__(self) -> None:
        self.saved: dict[str, FeedMark] = {}
        self.saves = 0
        self.failing = False

    def load(self) -> dict[str, FeedMark]:
        return dict(self.saved)

    def save(self, marks: Iterable[FeedMark]) -> None:
        if self.failing:
            raise MarksUnavailable("database is away")
        self.saves += 1
        self.saved |= {mark.symbol: mark for mark in marks}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def tick(symbol: str, second: int, price: str) -> Tick:
    return Tick(symbol, Decimal(price), Decimal(1), T0 + timedelta(seconds=second))


def keeper(store: MemoryMarks, clock: Clock, undelivered: list[int]) -> MarkKeeper:
    return MarkKeeper(store, delivered=lambda: undelivered[0], every=1.0, clock=clock)


def test_marks_are_saved_at_most_once_a_second_and_at_the_end():
    store, clock = MemoryMarks(), Clock()
    marks = keeper(store, clock, [0])

    marks.passed(tick("AAA", 1, "10"))
    marks.passed(tick("BBB", 2, "20"))
    assert store.saves == 0
    clock.now = 1.0
    marks.passed(tick("AAA", 3, "11"))
    assert store.saved == {
        "AAA": FeedMark("AAA", T0 + timedelta(seconds=3), Decimal(11)),
        "BBB": FeedMark("BBB", T0 + timedelta(seconds=2), Decimal(20)),
    }
    marks.passed(tick("AAA", 4, "12"))
    marks.save()

    assert store.saves == 2
    assert store.saved["AAA"].price == Decimal(12)
    assert marks.load() == store.saved


def test_marks_wait_until_every_published_update_was_delivered():
    store, clock = MemoryMarks(), Clock()
    undelivered = [3]
    marks = keeper(store, clock, undelivered)

    marks.passed(tick("AAA", 1, "10"))
    marks.save()
    assert store.saves == 0
    undelivered[0] = 0
    marks.save()

    assert store.saved["AAA"].time == T0 + timedelta(seconds=1)


def test_a_failed_save_keeps_the_marks_for_the_next_one():
    store, clock = MemoryMarks(), Clock()
    marks = keeper(store, clock, [0])
    store.failing = True

    marks.passed(tick("AAA", 1, "10"))
    marks.save()
    store.failing = False
    marks.save()

    assert store.saved == {"AAA": FeedMark("AAA", T0 + timedelta(seconds=1), Decimal(10))}
