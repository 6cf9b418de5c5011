"""Upstream: trading.core.accounting.portfolio, trading.core.backtest.result, trading.core.config, trading.core.orders.state, trading.core.params, trading.services.portfolio_config
Downstream: (none)
Role: converts core dataclasses to JSON-ready primitives and back (checkpoints, configs, results)."""

import dataclasses
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any


def to_primitive(value: Any) -> Any:
    """Turn ``value`` into str/int/float/bool/None, lists and dicts that ``json.dumps`` accepts.

    Decimals become strings (exact), datetimes ISO 8601, enums their value, sets sorted lists.
    """
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_primitive(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): to_primitive(item) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(to_primitive(item) for item in value)
    if isinstance(value, list | tuple):
        return [to_primitive(item) for item in value]
    raise TypeError(f"cannot convert {type(value).__name__} to a primitive")


def from_primitive(target: Any, data: Any) -> Any:
    """Rebuild a value of type ``target`` from what :func:`to_primitive` produced."""
    origin = typing.get_origin(target)
    args = typing.get_args(target)
    if origin in (typing.Union, types.UnionType):
        if data is None:
            return None
        (inner,) = [arg for arg in args if arg is not type(None)]
        return from_primitive(inner, data)
    if origin in (tuple, list, set, frozenset):
        _expect(data, list | tuple, target)
        return origin(from_primitive(args[0], item) for item in data)
    if origin in (dict, Mapping):
        _expect(data, Mapping, target)
        return {key: from_primitive(args[1], item) for key, item in data.items()}
    if target is Any:
        return data
    if isinstance(target, type) and dataclasses.is_dataclass(target):
        _expect(data, Mapping, target)
        hints = _hints(target)
        return target(
            **{
                f.name: from_primitive(hints[f.name], data[f.name])
                for f in dataclasses.fields(target)
                if f.name in data
            }
        )
    if target is datetime:
        return datetime.fromisoformat(data)
    if target is date:
        return date.fromisoformat(data)
    return target(data)


def _expect(data: Any, kind: Any, target: Any) -> None:
    # A string is iterable too: without this, "AAA" would read as the tuple ("A", "A", "A").
    if not isinstance(data, kind):
        raise TypeError(f"expected data for {target}, got {type(data).__name__} {data!r}")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)
