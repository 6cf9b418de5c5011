"""Upstream: bench.storage, trading.node.presence, trading.node.processor, trading.services.hot_positions
Downstream: trading.core.accounting.portfolio
Role: a portfolio's cash and positions as one Redis hash (portfolio:{id}:positions), written atomically and never replaced by an older snapshot.

Hash fields: ``initial_capital``, ``cash``, ``commissions`` (exact Decimal text), ``fills``
(how many fills the snapshot contains: its version), ``as_of`` (ISO time of the newest fill,
or empty) and one ``pos:{symbol}`` per position holding
``quantity|cost|realised_pnl|commission``.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import redis
from django.conf import settings

from trading.core.accounting.portfolio import Portfolio

_POSITION = "pos:"
_SEPARATOR = "|"
# Replace the hash only if it holds no more fills than the new snapshot: a re-warm from the
# database racing a node's write (or a late write) can never roll the state back.
_WRITE = """
local stored = redis.call('HGET', KEYS[1], 'fills')
if stored and tonumber(stored) > tonumber(ARGV[1]) then
    return 0
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1
"""


def positions_key(portfolio_id: str) -> str:
    """Hash: the portfolio's hot cash and positions (with GINKGO_REDIS_PREFIX)."""
    return f"{settings.GINKGO_REDIS_PREFIX}portfolio:{portfolio_id}:positions"


@dataclass(frozen=True, slots=True)
class HeldPosition:
    """One symbol's position: signed quantity and cost basis, realised P&L, commissions."""

    symbol: str
    quantity: Decimal
    cost: Decimal
    realised_pnl: Decimal
    commission: Decimal

    @property
    def avg_price(self) -> Decimal | None:
        """Average entry price of the open quantity, None when flat."""
        return self.cost / self.quantity if self.quantity else None


@dataclass(frozen=True, slots=True)
class PositionsSnapshot:
    """A portfolio's money and positions after its first ``fills`` fills."""

    initial_capital: Decimal
    cash: Decimal
    commissions: Decimal
    fills: int
    as_of: datetime | None
    positions: tuple[HeldPosition, ...]

    @classmethod
    def of(cls, ledger: Portfolio, *, fills: int, as_of: datetime | None) -> "PositionsSnapshot":
        """The snapshot of a core ledger that has booked ``fills`` fills, the newest at
        ``as_of``."""
        return cls(
            initial_capital=ledger.initial_capital,
            cash=ledger.cash,
            commissions=ledger.commissions,
            fills=fills,
            as_of=as_of,
            positions=tuple(
                HeldPosition(symbol, p.quantity, p.cost, p.realised_pnl, p.commission)
                for symbol, p in sorted(ledger.positions.items())
            ),
        )

    def position(self, symbol: str) -> HeldPosition | None:
        """The position in ``symbol``, None if never traded."""
        return next((p for p in self.positions if p.symbol == symbol), None)


def snapshot_store(client: redis.Redis, portfolio_id: str, snapshot: PositionsSnapshot) -> bool:
    """Write ``snapshot``; False when Redis already holds a newer one (more fills)."""
    fields: list[str] = [
        "initial_capital",
        str(snapshot.initial_capital),
        "cash",
        str(snapshot.cash),
        "commissions",
        str(snapshot.commissions),
        "fills",
        str(snapshot.fills),
        "as_of",
        snapshot.as_of.isoformat() if snapshot.as_of else "",
    ]
    for p in snapshot.positions:
        fields.append(f"{_POSITION}{p.symbol}")
        fields.append(
            _SEPARATOR.join(str(v) for v in (p.quantity, p.cost, p.realised_pnl, p.commission))
        )
    script = client.register_script(_WRITE)
    return bool(script(keys=[positions_key(portfolio_id)], args=[snapshot.fills, *fields]))


def snapshot_load(client: redis.Redis, portfolio_id: str) -> PositionsSnapshot | None:
    """The stored snapshot, None when Redis holds none."""
    fields: Mapping[str, str] = client.hgetall(positions_key(portfolio_id))
    if not fields:
        return None
    positions = []
    for name, value in fields.items():
        if name.startswith(_POSITION):
            quantity, cost, realised, commission = value.split(_SEPARATOR)
            positions.append(
                HeldPosition(
                    name[len(_POSITION) :],
                    Decimal(quantity),
                    Decimal(cost),
                    Decimal(realised),
                    Decimal(commission),
                )
            )
    positions.sort(key=lambda p: p.symbol)
    return PositionsSnapshot(
        initial_capital=Decimal(fields["initial_capital"]),
        cash=Decimal(fields["cash"]),
        commissions=Decimal(fields["commissions"]),
        fills=int(fields["fills"]),
        as_of=datetime.fromisoformat(fields["as_of"]) if fields["as_of"] else None,
        positions=tuple(positions),
    )
