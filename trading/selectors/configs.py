"""Upstream: trading.selectors.portfolios, trading.services.backtests, trading.services.portfolios
Downstream: trading.models
Role: a portfolio's versioned configuration as one JSON snapshot, and the field-by-field diff of two snapshots."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from trading import models

# Fields of a snapshot that identify it rather than configure the portfolio.
_NOT_COMPARED = frozenset({"portfolio_id", "version"})
# The order changes are listed in (the database does not keep a JSON object's key order).
_FIELD_ORDER = ("name", "market", "symbols", "initial_capital", "strategy", "sizer", "risks")


@dataclass(frozen=True, slots=True)
class Change:
    """One configuration value that differs; ``None`` stands for "absent"."""

    field: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        """The form a PortfolioVersion stores in ``changes``."""
        return {"field": self.field, "old": self.old, "new": self.new}


def portfolio_snapshot(*, portfolio: models.Portfolio) -> dict[str, Any]:
    """What a PortfolioVersion stores: the core's PortfolioConfig dict plus name and market.

    ``PortfolioConfig.from_dict`` reads it as it is (unknown keys are ignored).
    """
    return {**portfolio.config_dict(), "name": portfolio.name, "market": portfolio.market}


def config_diff(*, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every leaf that differs between two snapshots, nested parameters flattened to dotted
    paths (``strategy.params.period``, ``risks.0.params.max_loss``); lists of plain values
    such as ``symbols`` compare whole."""
    before, after = _leaves(old), _leaves(new)
    paths = sorted({*before, *after}, key=_path_order)
    return [
        Change(path, before.get(path), after.get(path))
        for path in paths
        if before.get(path) != after.get(path)
    ]


def _path_order(path: str) -> tuple[int, list[tuple[int, int | str]]]:
    field, *rest = path.split(".")
    rank = _FIELD_ORDER.index(field) if field in _FIELD_ORDER else len(_FIELD_ORDER)
    # List indexes compare as numbers (risks.2 before risks.10), names alphabetically.
    return rank, [(0, int(part)) if part.isdigit() else (1, part) for part in rest]


def _leaves(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    return {
        path: value
        for key, item in snapshot.items()
        if key not in _NOT_COMPARED
        for path, value in _flatten(item, key)
    }


def _flatten(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _flatten(item, f"{path}.{key}")
    elif isinstance(value, list) and value and all(isinstance(i, Mapping) for i in value):
        for index, item in enumerate(value):
            yield from _flatten(item, f"{path}.{index}")
    elif value != []:
        yield path, value
