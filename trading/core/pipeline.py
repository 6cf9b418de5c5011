"""Upstream: trading.core.backtest.engine, trading.core.config, trading.core.reload, trading.node.loader
Downstream: trading.core.accounting.portfolio, trading.core.accounting.position, trading.core.accounting.view, trading.core.clock, trading.core.enums, trading.core.errors, trading.core.events, trading.core.market, trading.core.matching.commissions, trading.core.orders.book, trading.core.orders.events, trading.core.orders.order, trading.core.orders.state, trading.core.risk.base, trading.core.risk.engine, trading.core.signals, trading.core.sizers, trading.core.strategies.base
Role: PortfolioPipeline, the one object per portfolio that backtests and live nodes drive: price -> strategy -> sizer -> risk -> order, fills -> portfolio."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from trading.core.accounting.portfolio import Portfolio
from trading.core.accounting.position import ZERO
from trading.core.accounting.view import PortfolioView
from trading.core.clock import Clock
from trading.core.enums import OrderType, RiskState, Side, SignalDirection, TimeInForce
from trading.core.errors import PipelineError
from trading.core.events import (
    DomainEvent,
    OrderBlocked,
    OrderSubmitted,
    PositionClosed,
    SignalDropped,
    StrategyErrored,
)
from trading.core.market import Bar, PriceUpdate, last_price
from trading.core.matching.commissions import NO_COMMISSION, CommissionModel
from trading.core.orders.book import OrderBook
from trading.core.orders.events import Fill, OrderStatusReport
from trading.core.orders.order import ClientOrderIds, Order
from trading.core.orders.state import TrackedOrder
from trading.core.risk.base import Blocked, RiskContext, RiskManager
from trading.core.risk.engine import RiskEngine
from trading.core.signals import Signal
from trading.core.sizers import Sizer
from trading.core.strategies.base import Strategy, StrategyContext

CHECKPOINT_FORMAT = 1


class PortfolioPipeline:
    """Everything one portfolio does, as a single-threaded object free of I/O.

    Callers feed it price updates (:meth:`on_price`) and venue reports (:meth:`on_order_event`,
    :meth:`on_fill`); each call returns the domain events it caused, in order. An
    :class:`OrderSubmitted` event is an order the caller must send to the venue. Signals
    become DAY market orders: the sizer sizes buys, sells and closes trade the whole
    position, the risk chain may shrink or block, and a symbol never has more than one order
    working at a time. A strategy that raises is reported once (:class:`StrategyErrored`) and
    not fed again; risk rules keep guarding the positions.
    """

    def __init__(
        self,
        *,
        portfolio_id: str,
        symbols: Iterable[str],
        portfolio: Portfolio,
        strategy: Strategy[Any],
        sizer: Sizer,
        clock: Clock,
        risk_managers: Sequence[RiskManager] = (),
        commission: CommissionModel = NO_COMMISSION,
        run_epoch: int = 0,
        strategy_name: str | None = None,
    ) -> None:
        self.portfolio_id = portfolio_id
        self.symbols = tuple(symbols)
        self._symbol_set = frozenset(self.symbols)
        self._portfolio = portfolio
        self.view = PortfolioView(portfolio)
        self._strategy = strategy
        self._strategy_name = strategy_name or type(strategy).__name__
        self._sizer = sizer
        self._clock = clock
        self._commission = commission
        self._ids = ClientOrderIds(portfolio_id, run_epoch)
        self._book = OrderBook(portfolio_id)
        self._context = StrategyContext(portfolio_id, self.symbols, self.view, clock)
        strategy.bind(self._context)
        risk_context = RiskContext(portfolio_id, self.view, clock, self._book.working)
        self._risk = RiskEngine(risk_managers, risk_context)
        self._strategy_failed = False
        self._running = False

    # --- life cycle ---------------------------------------------------------------------

    @property
    def is_running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._running

    @property
    def strategy_failed(self) -> bool:
        """True once the strategy raised; it is not called again."""
        return self._strategy_failed

    def start(self) -> list[DomainEvent]:
        """Start the strategy; price updates are accepted from now on."""
        if self._running:
            raise PipelineError(f"portfolio {self.portfolio_id} is already running")
        self._running = True
        events: list[DomainEvent] = []
        self._call_strategy(self._strategy.on_start, events)
        self._trade(self._context.signals, events)
        return events

    def stop(self) -> list[DomainEvent]:
        """Stop the strategy; signals it emits while stopping are dropped, not traded."""
        self._require_running()
        events: list[DomainEvent] = []
        self._call_strategy(self._strategy.on_stop, events)
        self._context.signals.clear()
        self._running = False
        return events

    # --- inputs -------------------------------------------------------------------------

    def on_price(self, update: PriceUpdate) -> list[DomainEvent]:
        """Mark the portfolio, run the risk rules then the strategy, and trade their signals
        (the rules' first, so a protective close gets the symbol's single order slot).

        Updates for symbols outside the portfolio are ignored.
        """
        self._require_running()
        events: list[DomainEvent] = []
        symbol = update.symbol
        if symbol not in self._symbol_set:
            return events
        self._portfolio.mark(symbol, last_price(update))
        risk_signals = self._risk.on_price(update, events)
        if not self._strategy_failed:
            strategy = self._strategy
            try:
                if isinstance(update, Bar):
                    strategy.on_bar(update)
                else:
                    strategy.on_tick(update)
            except Exception as exc:  # a strategy is user code: contain whatever it raises
                self._strategy_crashed(exc, events)
        if risk_signals:
            self._trade(risk_signals, events)
        if self._context.signals:
            self._trade(self._context.signals, events)
        return events

    def on_order_event(self, report: OrderStatusReport) -> list[DomainEvent]:
        """Apply an acknowledgement, rejection, cancellation or expiry from the venue."""
        return self._book.apply_report(report)

    def on_fill(self, fill: Fill) -> list[DomainEvent]:
        """Book a fill (idempotent by fill id) into its order and the portfolio."""
        if self._portfolio.has_fill(fill.fill_id):
            return []
        events = self._book.apply_fill(fill)
        change = self._portfolio.apply_fill(fill)
        if change is not None and change.closed_trip_pnl is not None:
            events.append(
                PositionClosed(self.portfolio_id, fill.symbol, change.closed_trip_pnl, fill.time)
            )
        return events

    # --- operator actions ---------------------------------------------------------------

    @property
    def risk_state(self) -> RiskState:
        """ACTIVE, REDUCING or HALTED."""
        return self._risk.state

    def set_risk_state(self, state: RiskState, reason: str) -> list[DomainEvent]:
        """Force a risk state (e.g. REDUCING to wind a portfolio down)."""
        return self._risk.change_state(state, reason)

    def reset_risk(self, reason: str = "reset by operator") -> list[DomainEvent]:
        """Lift a halt: back to ACTIVE, rules restart their measurements."""
        return self._risk.reset(reason)

    # --- queries ------------------------------------------------------------------------

    @property
    def risk_managers(self) -> tuple[RiskManager, ...]:
        """The risk rules, in the order they run."""
        return self._risk.managers

    @property
    def open_orders(self) -> list[TrackedOrder]:
        """Orders submitted and not yet finished, oldest first."""
        return self._book.orders

    def order(self, client_order_id: str) -> TrackedOrder | None:
        """A working order by id (finished orders are forgotten)."""
        return self._book.get(client_order_id)

    @property
    def working(self) -> Mapping[str, str]:
        """Symbol -> id of its working order (a live read-only view: cheap to ask often)."""
        return self._book.working

    # --- checkpoints --------------------------------------------------------------------

    def checkpoint(self) -> dict[str, Any]:
        """Everything needed to continue elsewhere, as a JSON-ready dict."""
        return {
            "format": CHECKPOINT_FORMAT,
            "portfolio_id": self.portfolio_id,
            "next_sequence": self._ids.next_sequence,
            "portfolio": self._portfolio.snapshot(),
            "open_orders": self._book.snapshot(),
            "strategy": {"failed": self._strategy_failed, "state": self._strategy.get_state()},
            "risk": self._risk.checkpoint(),
        }

    def restore(self, state: Mapping[str, Any]) -> list[DomainEvent]:
        """Continue from a :meth:`checkpoint` of a pipeline built from the same config.

        Call before :meth:`start`. Order ids continue the saved sequence under this
        pipeline's run epoch.
        """
        if self._running:
            raise PipelineError(f"portfolio {self.portfolio_id}: restore before start")
        if state.get("format") != CHECKPOINT_FORMAT or state["portfolio_id"] != self.portfolio_id:
            raise PipelineError(
                f"checkpoint of {state.get('portfolio_id')!r} (format {state.get('format')}) "
                f"does not fit portfolio {self.portfolio_id!r}"
            )
        self._portfolio.load(state["portfolio"])
        self._ids.next_sequence = state["next_sequence"]
        self._book.load(state["open_orders"])
        self._risk.restore(state["risk"])
        self._strategy_failed = state["strategy"]["failed"]
        events: list[DomainEvent] = []
        if not self._strategy_failed:
            saved_strategy = state["strategy"]["state"]
            self._call_strategy(lambda: self._strategy.set_state(saved_strategy), events)
        return events

    def load_orders(self, orders: Iterable[TrackedOrder]) -> None:
        """Take over working orders rebuilt elsewhere (e.g. from the system of record when a
        portfolio is rebuilt from its fills instead of a checkpoint). Call before :meth:`start`.
        """
        if self._running:
            raise PipelineError(f"portfolio {self.portfolio_id}: load orders before start")
        self._book.replace(orders)

    # --- internals ----------------------------------------------------------------------

    def _require_running(self) -> None:
        if not self._running:
            raise PipelineError(f"portfolio {self.portfolio_id} is not running")

    def _call_strategy(self, hook: Callable[[], None], events: list[DomainEvent]) -> None:
        if self._strategy_failed:
            return
        try:
            hook()
        except Exception as exc:  # a strategy is user code: contain whatever it raises
            self._strategy_crashed(exc, events)

    def _strategy_crashed(self, exc: Exception, events: list[DomainEvent]) -> None:
        self._strategy_failed = True
        # Signals from a hook that did not finish are a half-made decision: drop them.
        self._context.signals.clear()
        error = f"{type(exc).__name__}: {exc}"
        events.append(
            StrategyErrored(self.portfolio_id, self._strategy_name, error, self._clock.now())
        )

    def _trade(self, signals: list[Signal], events: list[DomainEvent]) -> None:
        for signal in signals:
            self._trade_one(signal, events)
        signals.clear()

    def _trade_one(self, signal: Signal, events: list[DomainEvent]) -> None:
        symbol = signal.symbol
        working = self._book.working.get(symbol)
        if symbol not in self._symbol_set:
            problem = f"{symbol} is not one of the portfolio's symbols"
        elif working is not None:
            problem = f"order {working} is still working for {symbol}"
        else:
            order_or_problem = self._order_for(signal)
            if isinstance(order_or_problem, Order):
                self._send(order_or_problem, events)
                return
            problem = order_or_problem
        events.append(SignalDropped(self.portfolio_id, signal, problem))

    def _order_for(self, signal: Signal) -> Order | str:
        symbol = signal.symbol
        held = self.view.quantity(symbol)
        if signal.direction is SignalDirection.BUY:
            price = self._portfolio.price(symbol)
            if price is None:
                return f"no price known for {symbol} yet"
            side = Side.BUY
            quantity = self._sizer.size(signal, price, self.view, self._commission)
        elif signal.direction is SignalDirection.SELL:
            side, quantity = Side.SELL, max(held, ZERO)
        else:
            side, quantity = (Side.SELL if held > 0 else Side.BUY), abs(held)
        if quantity <= 0:
            return "nothing to trade"
        return Order(
            client_order_id=self._ids.next(),
            portfolio_id=self.portfolio_id,
            symbol=symbol,
            side=side,
            quantity=quantity,
            created_at=self._clock.now(),
            order_type=OrderType.MARKET,
            time_in_force=TimeInForce.DAY,
            tag=signal.reason,
        )

    def _send(self, order: Order, events: list[DomainEvent]) -> None:
        verdict = self._risk.check(order)
        if isinstance(verdict, Blocked):
            events.append(OrderBlocked(self.portfolio_id, order, verdict.reason, verdict.by))
            return
        tracked = TrackedOrder(verdict)
        tracked.submit()
        self._book.add(tracked)
        self._risk.on_submitted(verdict)
        events.append(OrderSubmitted(self.portfolio_id, verdict))
