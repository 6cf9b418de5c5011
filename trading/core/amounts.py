"""Upstream: trading.core.config, trading.core.data.checks, trading.core.params, trading.core.sizers, trading.core.strategies.builtin, trading.management.commands.backtest, trading.services.portfolio_config
Downstream: (none)
Role: the one rule for numbers people and feeds give: exact, finite, and within a sane magnitude (cash, prices, quantities, parameters)."""

from decimal import Decimal, InvalidOperation

# No cash, price, quantity or volume comes near this; the stores keep 16 integer digits.
LIMIT = Decimal(10) ** 15
_LIMIT_TEXT = f"{LIMIT:.0e}"
# The most units one order (or a strategy's or sizer's order size) may ask for.
MAX_UNITS = Decimal(10) ** 9


def parse_decimal(raw: object) -> Decimal:
    """``raw`` (an int, float, str or Decimal; never a bool) as an exact, finite Decimal.

    Raises ValueError with a message fit to follow the field's name ("must be ...").
    """
    try:
        if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
            raise InvalidOperation
        # repr() of a float is its shortest round-trip text, so 0.1 becomes Decimal("0.1").
        value = Decimal(repr(raw) if isinstance(raw, float) else raw)
    except (InvalidOperation, ValueError):
        raise ValueError(f"must be a decimal number, got {raw!r}") from None
    if not value.is_finite():
        raise ValueError(f"must be a finite number, got {raw!r}")
    return value


def check_magnitude(value: int | float | Decimal) -> None:
    """Raise ValueError when ``value`` is beyond :data:`LIMIT` either way."""
    if not -LIMIT <= value <= LIMIT:
        raise ValueError(f"must be at most {_LIMIT_TEXT} in magnitude, got {value}")


def positive_amount(raw: object) -> Decimal:
    """An amount of money or units: finite, above 0 and at most :data:`LIMIT`.

    Raises ValueError with a message fit to follow the field's name.
    """
    value = parse_decimal(raw)
    if not 0 < value <= LIMIT:
        raise ValueError(f"must be above 0 and at most {_LIMIT_TEXT}, got {raw}")
    return value
