"""Upstream: bench.node_latency, bench.node_router, trading.node.router, trading.node.runtime
Downstream: (none)
Role: InterestMap: symbol -> ids of the portfolios that want it, read lock-free by the router, changed as portfolios start and stop."""

import threading
from collections.abc import Iterable
from types import MappingProxyType

_NOBODY: tuple[str, ...] = ()


class InterestMap:
    """Which of the node's portfolios want each symbol.

    Writers (portfolio start, stop, reload) take a lock and swap in a new dict; the router
    reads whatever dict is current without locking, so a lookup is one dict access and never
    waits for a writer (copy-on-write).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._portfolios: dict[str, frozenset[str]] = {}
        self._by_symbol: dict[str, tuple[str, ...]] = {}

    def lookup(self, symbol: str) -> tuple[str, ...]:
        """The ids of the portfolios that want ``symbol`` (empty when none)."""
        return self._by_symbol.get(symbol, _NOBODY)

    def set(self, portfolio_id: str, symbols: Iterable[str]) -> bool:
        """``portfolio_id`` now wants exactly ``symbols``; True if the symbol set changed."""
        wanted = frozenset(symbols)
        with self._lock:
            before = self.symbols
            self._portfolios[portfolio_id] = wanted
            self._publish()
            return self.symbols != before

    def remove(self, portfolio_id: str) -> bool:
        """``portfolio_id`` wants nothing any more; True if the symbol set changed."""
        with self._lock:
            if self._portfolios.pop(portfolio_id, None) is None:
                return False
            before = self.symbols
            self._publish()
            return self.symbols != before

    @property
    def symbols(self) -> frozenset[str]:
        """Every symbol some portfolio wants: the node's interest set."""
        return frozenset(self._by_symbol)

    @property
    def portfolios(self) -> MappingProxyType[str, frozenset[str]]:
        """Symbols wanted per portfolio (a read-only snapshot)."""
        return MappingProxyType(dict(self._portfolios))

    def _publish(self) -> None:
        by_symbol: dict[str, list[str]] = {}
        for portfolio_id in sorted(self._portfolios):
            for symbol in self._portfolios[portfolio_id]:
                by_symbol.setdefault(symbol, []).append(portfolio_id)
        self._by_symbol = {symbol: tuple(ids) for symbol, ids in by_symbol.items()}
