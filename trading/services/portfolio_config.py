"""Upstream: trading.admin, trading.apis.serializers, trading.services.portfolios
Downstream: trading.core.amounts, trading.core.catalog, trading.core.codec, trading.core.errors, trading.core.registry, trading.models, trading.selectors.components
Role: checks and normalises a portfolio's configuration fields against the core's component registry, errors keyed by field path."""

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from trading import models
from trading.core.amounts import positive_amount
from trading.core.catalog import DEFAULT_SIZER
from trading.core.codec import to_primitive
from trading.core.errors import ConfigError
from trading.core.registry import ComponentKind
from trading.selectors.components import component_registry

CONFIG_FIELDS = ("name", "market", "symbols", "initial_capital", "strategy", "sizer", "risks")
SYMBOL_REGEX = r"^[A-Z0-9][A-Z0-9.\-_]{0,31}$"
SYMBOL_RULE = (
    "upper-case letters, digits, '.', '-' or '_', starting with a letter or digit, 1-32 long"
)
NAME_MAX_LENGTH = models.Portfolio._meta.get_field("name").max_length or 200
# Portfolio.initial_capital is numeric(24, 8).
CAPITAL_QUANTUM = Decimal("1e-8")

_SYMBOL = re.compile(SYMBOL_REGEX)
_PARAMETER = re.compile(r"parameter '([^']+)'")
_COMPONENT_KEYS = frozenset({"name", "params"})

Errors = dict[str, list[str]]


def portfolio_config_clean(*, data: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration fields of ``data`` checked and normalised for storage.

    Components are validated by the core's registry: parameters get their declared types
    and defaults (stored as JSON primitives). Capital is quantised to the column's scale, so
    an unchanged value compares equal to the stored one. Raises ValidationError keyed by
    the dotted path of each offending field (``symbols``, ``strategy.params.period``,
    ``risks.1.name`` ...), every message naming what is wrong.
    """
    errors: Errors = {}
    cleaned = {
        "name": _name(data.get("name"), errors),
        "market": _market(data.get("market", models.Market.DEFAULT), errors),
        "symbols": _symbols(data.get("symbols"), errors),
        "initial_capital": _capital(data.get("initial_capital"), errors),
        "strategy": _component(ComponentKind.STRATEGY, data.get("strategy"), "strategy", errors),
        "sizer": _component(
            ComponentKind.SIZER, data.get("sizer") or {"name": DEFAULT_SIZER}, "sizer", errors
        ),
        "risks": _risks(data.get("risks") or [], errors),
    }
    if errors:
        raise ValidationError(errors)
    return cleaned


def _name(raw: Any, errors: Errors) -> str | None:
    if not isinstance(raw, str) or not raw.strip() or "\x00" in raw:
        errors["name"] = ["a non-empty name is required"]
        return None
    if len(raw) > NAME_MAX_LENGTH:
        errors["name"] = [f"at most {NAME_MAX_LENGTH} characters"]
        return None
    return raw.strip()


def _market(raw: Any, errors: Errors) -> str | None:
    if raw not in models.Market.values:
        errors["market"] = [f"unknown market {raw!r} (known: {', '.join(models.Market.values)})"]
        return None
    return str(raw)


def _symbols(raw: Any, errors: Errors) -> list[str] | None:
    if not isinstance(raw, list) or not raw:
        errors["symbols"] = ["a non-empty list of symbols is required"]
        return None
    bad = [symbol for symbol in raw if not isinstance(symbol, str) or not _SYMBOL.fullmatch(symbol)]
    if bad:
        errors["symbols"] = [f"{bad[0]!r} is not a symbol: {SYMBOL_RULE}"]
        return None
    repeated = sorted({symbol for symbol in raw if raw.count(symbol) > 1})
    if repeated:
        errors["symbols"] = [f"symbols must be unique; repeated: {', '.join(repeated)}"]
        return None
    return list(raw)


def _capital(raw: Any, errors: Errors) -> Decimal | None:
    try:
        value = positive_amount(raw)
    except ValueError as exc:
        errors["initial_capital"] = [str(exc)]
        return None
    if value != value.quantize(CAPITAL_QUANTUM):
        errors["initial_capital"] = [f"at most 8 decimal places, got {raw}"]
        return None
    return value.quantize(CAPITAL_QUANTUM)


def _risks(raw: Any, errors: Errors) -> list[dict[str, Any]] | None:
    if not isinstance(raw, list):
        errors["risks"] = ["an ordered list of risk managers is required"]
        return None
    cleaned = [
        _component(ComponentKind.RISK, spec, f"risks.{index}", errors)
        for index, spec in enumerate(raw)
    ]
    return [spec for spec in cleaned if spec is not None]


def _component(kind: ComponentKind, raw: Any, field: str, errors: Errors) -> dict[str, Any] | None:
    shape = f'{{"name": registered {kind}, "params": {{...}}}}'
    if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
        errors[field] = [f"expected {shape}"]
        return None
    params = raw.get("params") or {}
    unexpected = sorted(set(raw) - _COMPONENT_KEYS)
    if unexpected or not isinstance(params, Mapping):
        errors[field] = [f"expected {shape}, got keys {sorted(raw)}"]
        return None
    if "\\u0000" in json.dumps(params, default=str):
        errors[f"{field}.params"] = ["NUL characters are not allowed"]
        return None
    try:
        normalised = component_registry().validate(kind, raw["name"], params)
    except ConfigError as exc:
        errors[_error_path(field, kind, str(exc))] = [str(exc)]
        return None
    return {"name": raw["name"], "params": to_primitive(normalised)}


def _error_path(field: str, kind: ComponentKind, message: str) -> str:
    # The registry's messages name the unknown component or the offending parameter.
    if message.startswith(f"unknown {kind} "):
        return f"{field}.name"
    parameter = _PARAMETER.search(message)
    return f"{field}.params.{parameter.group(1)}" if parameter else f"{field}.params"
