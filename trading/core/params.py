"""Upstream: trading.core.registry, trading.core.strategies.builtin, trading.core.sizers, trading.core.risk.rules, trading.core.matching.commissions, trading.core.matching.slippage
Downstream: trading.core.amounts, trading.core.codec
Role: typed, bounded component parameters declared on frozen config dataclasses, and their normalisation."""

import dataclasses
import math
import typing
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from trading.core.amounts import check_magnitude, parse_decimal
from trading.core.codec import to_primitive

Number = int | float | Decimal
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


class ParamType(StrEnum):
    """The value types a component parameter may have."""

    INT = "int"
    FLOAT = "float"
    DECIMAL = "decimal"
    BOOL = "bool"
    STR = "str"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class Param:
    """Declares a config dataclass field as a user-settable parameter, inside ``Annotated``:

    ``period: Annotated[int, Param("window, in bars", minimum=2)] = 20``

    Bounds are inclusive unless ``min_exclusive``/``max_exclusive``; ``choices`` turns a str
    field into a choice. Every number is also held to the core's sane magnitude
    (trading.core.amounts), but a parameter should declare its own sane range.
    """

    description: str
    minimum: Number | None = None
    maximum: Number | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """Everything a user interface needs to show and check one parameter."""

    name: str
    type: ParamType
    default: Any
    description: str = ""
    minimum: Number | None = None
    maximum: Number | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False
    choices: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (Decimals as strings)."""
        return typing.cast(dict[str, Any], to_primitive(self))

    def normalise(self, raw: Any) -> Any:
        """Convert user input (JSON value or command-line string) to the declared type.

        Raises ValueError with a message fit to follow the parameter's name.
        """
        value = _CONVERTERS[self.type](self, raw)
        self._check_bounds(value)
        if self.type in _NUMBERS:
            check_magnitude(value)
        return value

    def _check_bounds(self, value: Any) -> None:
        low, high = self.minimum, self.maximum
        if low is not None and (value <= low if self.min_exclusive else value < low):
            raise ValueError(f"must be {'>' if self.min_exclusive else '>='} {low}, got {value}")
        if high is not None and (value >= high if self.max_exclusive else value > high):
            raise ValueError(f"must be {'<' if self.max_exclusive else '<='} {high}, got {value}")


def param_specs(config_type: type) -> tuple[ParamSpec, ...]:
    """The parameters a config dataclass declares, in field order."""
    hints = typing.get_type_hints(config_type, include_extras=True)
    return tuple(_spec(field, hints[field.name]) for field in dataclasses.fields(config_type))


def _spec(field: dataclasses.Field[Any], annotation: Any) -> ParamSpec:
    declared = [m for m in getattr(annotation, "__metadata__", ()) if isinstance(m, Param)]
    if not declared:
        raise TypeError(f"field '{field.name}' is not declared as Annotated[..., Param(...)]")
    meta = declared[0]
    base = typing.get_args(annotation)[0]
    kind = ParamType.CHOICE if meta.choices else _ANNOTATION_TYPES.get(base)
    if kind is None:
        raise TypeError(f"parameter '{field.name}' has unsupported type {base!r}")
    return ParamSpec(
        name=field.name,
        type=kind,
        default=field.default,
        description=meta.description,
        minimum=meta.minimum,
        maximum=meta.maximum,
        min_exclusive=meta.min_exclusive,
        max_exclusive=meta.max_exclusive,
        choices=meta.choices,
    )


def _to_int(spec: ParamSpec, raw: Any) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    integral_text = isinstance(raw, str) and raw.strip().lstrip("+-").isdecimal()
    integral_number = isinstance(raw, float | Decimal) and math.isfinite(raw) and raw == int(raw)
    if integral_text or integral_number:
        return int(raw)
    raise ValueError(f"must be an integer, got {raw!r}")


def _to_float(spec: ParamSpec, raw: Any) -> float:
    try:
        if isinstance(raw, bool):
            raise ValueError
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"must be a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"must be a finite number, got {raw!r}")
    return value


def _to_decimal(spec: ParamSpec, raw: Any) -> Decimal:
    return parse_decimal(raw)


def _to_bool(spec: ParamSpec, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"must be true or false, got {raw!r}")


def _to_str(spec: ParamSpec, raw: Any) -> str:
    if not isinstance(raw, str):
        raise ValueError(f"must be a string, got {raw!r}")
    return raw


def _to_choice(spec: ParamSpec, raw: Any) -> str:
    if raw not in spec.choices:
        raise ValueError(f"must be one of {', '.join(spec.choices)}, got {raw!r}")
    return typing.cast(str, raw)


_CONVERTERS: dict[ParamType, typing.Callable[[ParamSpec, Any], Any]] = {
    ParamType.INT: _to_int,
    ParamType.FLOAT: _to_float,
    ParamType.DECIMAL: _to_decimal,
    ParamType.BOOL: _to_bool,
    ParamType.STR: _to_str,
    ParamType.CHOICE: _to_choice,
}
_NUMBERS = frozenset({ParamType.INT, ParamType.FLOAT, ParamType.DECIMAL})
_ANNOTATION_TYPES: dict[Any, ParamType] = {
    int: ParamType.INT,
    float: ParamType.FLOAT,
    Decimal: ParamType.DECIMAL,
    bool: ParamType.BOOL,
    str: ParamType.STR,
}
