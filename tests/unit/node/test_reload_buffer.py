"""Upstream: (entry point: pytest)
Downstream: monitoring.notifications.kinds, tests.unit.node.test_processor, trading.node.backpressure, trading.node.buffer, trading.node.inbox
Role: the reload hand-over of market data: a closed inbox forwards to the buffer, the buffer holds (cap, alert, drops) and releases in order into the new inbox, which takes everything later."""

from monitoring.notifications import kinds
from tests.unit.node.test_processor import minute
from trading.node.backpressure import Level
from trading.node.buffer import ReloadBuffer
from trading.node.inbox import PortfolioInbox


class Alerts(list[tuple[str, str]]):
    """The buffer's alerts as (kind, text)."""

    def __call__(self, text: str, *, kind: str) -> None:
        self.append((kind, text))


def drained(inbox: PortfolioInbox) -> list[object]:
    inbox.close()
    return list(iter(inbox.take, None))


def test_updates_go_old_then_buffer_then_new_inbox_in_order_exactly_once():
    alerts = Alerts()
    old, new = PortfolioInbox(10), PortfolioInbox(100)
    buffer = ReloadBuffer(alerts, cap=5, alert_at=3)
    updates = [minute(n) for n in range(12)]
    old.offer(updates[0])
    old.close(buffer)
    for update in updates[1:4]:
        assert old.offer(update) is Level.NORMAL
    assert len(buffer) == 3
    assert alerts == [(kinds.RELOAD_BUFFER_HIGH, "reload buffer at 3/5 updates")]
    assert buffer.release(new) == 3
    for update in updates[4:12]:
        old.offer(update)
    assert drained(old) == updates[:1]
    assert drained(new) == updates[1:12]
    assert buffer.dropped == 0


def test_a_full_buffer_drops_and_counts_with_one_alert():
    alerts = Alerts()
    buffer = ReloadBuffer(alerts, cap=2, alert_at=2)
    levels = [buffer.offer(minute(n)) for n in range(4)]
    assert levels == [Level.NORMAL, Level.NORMAL, Level.CRITICAL, Level.CRITICAL]
    assert buffer.dropped == 2 and len(buffer) == 2
    assert alerts == [
        (kinds.RELOAD_BUFFER_HIGH, "reload buffer at 2/2 updates"),
        (kinds.RELOAD_BUFFER_FULL, "reload buffer full (2): dropping updates"),
    ]
