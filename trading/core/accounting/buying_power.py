"""Upstream: trading.core.backtest.engine, trading.core.matching.engine, trading.core.sizers, trading.livecore.paper
Downstream: trading.core.accounting.portfolio, trading.core.accounting.position, trading.core.enums, trading.core.matching.commissions, trading.core.orders.events
Role: the buying-power rule every simulated venue applies (backtest and paper gateway): a buy that costs more than the portfolio's available cash is rejected as insufficient_cash."""

from collections.abc import Callable
from decimal import Decimal

from trading.core.accounting.portfolio import cash_change
from trading.core.accounting.position import ZERO
from trading.core.enums import Side
from trading.core.matching.commissions import CommissionModel
from trading.core.orders.events import Fill

INSUFFICIENT_CASH = "insufficient_cash"


def order_cost(quantity: Decimal, price: Decimal, commission: CommissionModel) -> Decimal:
    """What buying ``quantity`` at ``price`` takes from cash, commission included."""
    return quantity * price + commission.commission(quantity, price)


class CashAccount:
    """One portfolio's cash as a venue sees it, and what its working orders reserved.

    The rule (:meth:`refusal`): a buy whose cost (quantity x price + commission, at the price
    it would fill) exceeds the available cash (cash less what the portfolio's *other* working
    orders reserved) is refused with :data:`INSUFFICIENT_CASH`. Sells are never refused for
    cash: closing or reducing a position is always allowed, and whether a portfolio may sell
    short is decided elsewhere, as before. An order that filled in part reserves the cost
    of its rest at its last fill price, so no later order takes the cash it was let in for.
    """

    __slots__ = ("_reserved", "cash")

    def __init__(self, cash: Decimal) -> None:
        self.cash = cash
        self._reserved: dict[str, Decimal] = {}

    @property
    def reserved(self) -> Decimal:
        """What working orders have reserved, in all."""
        return sum(self._reserved.values(), ZERO)

    def refusal(
        self,
        client_order_id: str,
        side: Side,
        quantity: Decimal,
        price: Decimal,
        commission: CommissionModel,
    ) -> str | None:
        """Why the order may not fill ``quantity`` (what it has left) at ``price``; None if it
        may. The reason starts with :data:`INSUFFICIENT_CASH`."""
        if side is Side.SELL:
            return None
        cost = order_cost(quantity, price, commission)
        available = self.cash - self.reserved + self._reserved.get(client_order_id, ZERO)
        if cost <= available:
            return None
        return (
            f"{INSUFFICIENT_CASH}: buying {quantity} at {price} costs {cost:.2f} "
            f"(commission included), available cash is {available:.2f}"
        )

    def book(self, fill: Fill, rest: Decimal, commission: CommissionModel) -> None:
        """Take a fill the rule let through into cash; ``rest`` is what its order still has
        to fill (reserved at the fill's price)."""
        self.cash += cash_change(fill)
        self.reserve(fill.client_order_id, fill.side, rest, fill.price, commission)

    def reserve(
        self,
        client_order_id: str,
        side: Side,
        rest: Decimal,
        price: Decimal,
        commission: CommissionModel,
    ) -> None:
        """Reserve the cost of a working buy's ``rest`` at ``price`` (nothing left: release)."""
        if side is Side.BUY and rest > 0:
            self._reserved[client_order_id] = order_cost(rest, price, commission)
        else:
            self.release(client_order_id)

    def release(self, client_order_id: str) -> None:
        """The order works no more: it reserves nothing."""
        self._reserved.pop(client_order_id, None)


class CashAccounts:
    """The accounts a venue checks orders against, by portfolio id, each made on first use
    with the cash ``load`` says the portfolio has (its capital, less what its fills cost)."""

    __slots__ = ("_accounts", "_load")

    def __init__(self, load: Callable[[str], Decimal]) -> None:
        self._load = load
        self._accounts: dict[str, CashAccount] = {}

    def __getitem__(self, portfolio_id: str) -> CashAccount:
        account = self._accounts.get(portfolio_id)
        if account is None:
            account = self._accounts[portfolio_id] = CashAccount(self._load(portfolio_id))
        return account

    def release(self, portfolio_id: str, client_order_id: str) -> None:
        """The order works no more (an account not loaded yet holds no reservation)."""
        account = self._accounts.get(portfolio_id)
        if account is not None:
            account.release(client_order_id)

    def clear(self) -> None:
        """Forget every account (they are loaded again when next needed)."""
        self._accounts.clear()
