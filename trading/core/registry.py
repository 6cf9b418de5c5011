"""Upstream: bench.backtest_speed, bench.node_latency, trading.apis.serializers, trading.core.backtest.engine, trading.core.catalog, trading.core.config, trading.management.commands.backtest, trading.node.config, trading.node.loader, trading.selectors.components, trading.services.portfolio_config
Downstream: trading.core.errors, trading.core.params
Role: the component registry: strategies, sizers, risk managers and cost models chosen by name, with validated parameters."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from trading.core.errors import ConfigError
from trading.core.params import ParamSpec, param_specs


class ComponentKind(StrEnum):
    """The families of pluggable components."""

    STRATEGY = "strategy"
    SIZER = "sizer"
    RISK = "risk"
    COMMISSION = "commission"
    SLIPPAGE = "slippage"


@dataclass(frozen=True, slots=True)
class ComponentSpec:
    """A component chosen by registered name plus its parameters (user input until validated)."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))


@dataclass(frozen=True, slots=True)
class ComponentInfo:
    """What a user interface lists about a registered component."""

    kind: ComponentKind
    name: str
    description: str
    params: tuple[ParamSpec, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description."""
        return {
            "kind": self.kind.value,
            "name": self.name,
            "description": self.description,
            "params": [spec.to_dict() for spec in self.params],
        }


@dataclass(frozen=True, slots=True)
class _Entry:
    info: ComponentInfo
    config_type: type
    factory: Callable[[Any], object] | None

    @property
    def label(self) -> str:
        return f"{self.info.kind} '{self.info.name}'"


class ComponentRegistry:
    """Maps (kind, name) to a component and its declared parameters.

    Configuration is user input, so components are only ever found by registered name, never
    by import path. A component is built from a frozen config dataclass whose fields are
    declared with :func:`trading.core.params.param`.
    """

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[tuple[ComponentKind, str], _Entry] = {}

    def register(
        self,
        kind: ComponentKind | str,
        name: str,
        config_type: type,
        factory: Callable[[Any], object] | None = None,
        description: str | None = None,
    ) -> None:
        """Register a component; ``factory(config)`` builds it.

        Value-object components (commission models, sizers) are their own config: omit
        ``factory``. The description defaults to the first docstring paragraph of the
        factory or config type.
        """
        kind = _kind(kind)
        if (kind, name) in self._entries:
            raise ValueError(f"{kind} '{name}' is already registered")
        documented = factory if factory is not None else config_type
        first_paragraph = (documented.__doc__ or "").strip().split("\n\n")[0]
        summary = description or " ".join(first_paragraph.split())
        info = ComponentInfo(kind, name, summary, param_specs(config_type))
        self._entries[kind, name] = _Entry(info, config_type, factory)

    def names(self, kind: ComponentKind | str) -> list[str]:
        """Registered names of one kind, sorted."""
        wanted = _kind(kind)
        return sorted(name for k, name in self._entries if k is wanted)

    def describe(self, kind: ComponentKind | str | None = None) -> list[ComponentInfo]:
        """Registered components (optionally of one kind) with their parameter specs."""
        wanted = None if kind is None else _kind(kind)
        return [
            self._entries[key].info
            for key in sorted(self._entries)
            if wanted is None or key[0] is wanted
        ]

    def info(self, kind: ComponentKind | str, name: str) -> ComponentInfo:
        """One component's description; unknown names raise ConfigError."""
        return self._entry(_kind(kind), name).info

    def validate(
        self, kind: ComponentKind | str, name: str, params: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Return ``params`` normalised to their declared types, defaults filled in.

        Raises ConfigError naming the component and the offending parameter.
        """
        entry = self._entry(_kind(kind), name)
        normalised = self._normalise(entry, params)
        self._build_config(entry, normalised)
        return normalised

    def create(self, kind: ComponentKind | str, name: str, params: Mapping[str, Any]) -> object:
        """Validate ``params`` and build the component."""
        entry = self._entry(_kind(kind), name)
        config = self._build_config(entry, self._normalise(entry, params))
        return config if entry.factory is None else entry.factory(config)

    def parse_shorthand(self, kind: ComponentKind | str, text: str) -> ComponentSpec:
        """Read ``name[:value[:value...]]``, values in declared parameter order.

        ``fixed:10`` is the ``fixed`` sizer with its first parameter set to "10"; the values
        stay strings until :meth:`validate`.
        """
        name, *values = text.split(":")
        specs = self._entry(_kind(kind), name).info.params
        if len(values) > len(specs):
            raise ConfigError(
                f"{_kind(kind)} '{name}' takes at most {len(specs)} value(s), got '{text}'"
            )
        return ComponentSpec(name, {spec.name: v for spec, v in zip(specs, values, strict=False)})

    def _entry(self, kind: ComponentKind, name: str) -> _Entry:
        entry = self._entries.get((kind, name))
        if entry is None:
            known = ", ".join(self.names(kind)) or "none"
            raise ConfigError(f"unknown {kind} '{name}' (known: {known})")
        return entry

    @staticmethod
    def _normalise(entry: _Entry, params: Mapping[str, Any]) -> dict[str, Any]:
        specs = {spec.name: spec for spec in entry.info.params}
        unknown = sorted(set(params) - set(specs))
        if unknown:
            known = ", ".join(specs) or "none"
            raise ConfigError(f"{entry.label}: unknown parameter '{unknown[0]}' (known: {known})")
        normalised: dict[str, Any] = {}
        for spec in specs.values():
            if spec.name not in params:
                normalised[spec.name] = spec.default
                continue
            try:
                normalised[spec.name] = spec.normalise(params[spec.name])
            except ValueError as exc:
                raise ConfigError(f"{entry.label}: parameter '{spec.name}' {exc}") from None
        return normalised

    @staticmethod
    def _build_config(entry: _Entry, params: dict[str, Any]) -> object:
        # Cross-field rules (e.g. low < high) live in the config's __post_init__.
        try:
            return entry.config_type(**params)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{entry.label}: {exc}") from None


def _kind(kind: ComponentKind | str) -> ComponentKind:
    try:
        return ComponentKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in ComponentKind)
        raise ConfigError(f"unknown component kind '{kind}' (known: {known})") from None
