"""Upstream: (entry point: pytest)
Downstream: trading.core.catalog, trading.core.errors, trading.core.params, trading.core.registry
Role: the component registry: selection by name, typed and bounded parameters, clear errors, listings."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

import pytest

from trading.core.catalog import builtin_registry
from trading.core.errors import ConfigError
from trading.core.params import Param, ParamType
from trading.core.registry import ComponentKind, ComponentRegistry, ComponentSpec


@dataclass(frozen=True, slots=True)
class WidgetConfig:
    """A component exercising every parameter type."""

    count: Annotated[int, Param("how many", minimum=1, maximum=10)] = 3
    ratio: Annotated[float, Param("a share", minimum=0, maximum=1, max_exclusive=True)] = 0.5
    amount: Annotated[Decimal, Param("money", minimum=0, min_exclusive=True)] = Decimal(5)
    enabled: Annotated[bool, Param("switch")] = True
    label: Annotated[str, Param("free text")] = "x"
    mode: Annotated[str, Param("one of a set", choices=("fast", "slow"))] = "fast"


@pytest.fixture
def registry() -> ComponentRegistry:
    registry = ComponentRegistry()
    registry.register(ComponentKind.SIZER, "widget", WidgetConfig)
    return registry


def test_validate_fills_defaults(registry: ComponentRegistry) -> None:
    assert registry.validate("sizer", "widget", {}) == {
        "count": 3,
        "ratio": 0.5,
        "amount": Decimal(5),
        "enabled": True,
        "label": "x",
        "mode": "fast",
    }


def test_validate_converts_command_line_strings_to_declared_types(
    registry: ComponentRegistry,
) -> None:
    params = {"count": "7", "ratio": "0.25", "amount": "1.10", "enabled": "no", "mode": "slow"}

    normalised = registry.validate("sizer", "widget", params)

    assert normalised["count"] == 7
    assert normalised["ratio"] == 0.25
    assert normalised["amount"] == Decimal("1.10")
    assert normalised["enabled"] is False
    assert normalised["mode"] == "slow"


def test_json_numbers_are_accepted_exactly(registry: ComponentRegistry) -> None:
    normalised = registry.validate("sizer", "widget", {"count": 4.0, "amount": 0.1})

    assert (normalised["count"], normalised["amount"]) == (4, Decimal("0.1"))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"count": 0}, "parameter 'count' must be >= 1, got 0"),
        ({"count": 11}, "parameter 'count' must be <= 10, got 11"),
        ({"count": "2.5"}, "parameter 'count' must be an integer, got '2.5'"),
        ({"count": True}, "parameter 'count' must be an integer, got True"),
        ({"ratio": 1}, "parameter 'ratio' must be < 1, got 1.0"),
        ({"ratio": "nan"}, "parameter 'ratio' must be a finite number"),
        ({"amount": 0}, "parameter 'amount' must be > 0, got 0"),
        ({"amount": "lots"}, "parameter 'amount' must be a decimal number, got 'lots'"),
        ({"enabled": "maybe"}, "parameter 'enabled' must be true or false"),
        ({"label": 3}, "parameter 'label' must be a string"),
        ({"mode": "medium"}, "parameter 'mode' must be one of fast, slow, got 'medium'"),
        ({"colour": "red"}, "unknown parameter 'colour' (known: count, ratio, amount,"),
    ],
)
def test_bad_parameters_raise_config_error_naming_component_and_parameter(
    registry: ComponentRegistry, params: dict, message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        registry.validate("sizer", "widget", params)

    assert str(error.value).startswith("sizer 'widget': ")
    assert message in str(error.value)


def test_unknown_component_names_are_rejected_with_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown strategy 'os\.system' \(known: buy_and_hold,"):
        builtin_registry().validate("strategy", "os.system", {})


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ConfigError, match="unknown component kind 'gadget'"):
        builtin_registry().names("gadget")


def test_cross_parameter_rules_are_reported_as_config_errors() -> None:
    with pytest.raises(ConfigError, match=r"strategy 'rsi_reversion': low \(80.0\) must be below"):
        builtin_registry().validate("strategy", "rsi_reversion", {"low": 80, "high": 70})


def test_describe_lists_parameter_specs_for_user_interfaces(registry: ComponentRegistry) -> None:
    (info,) = registry.describe(ComponentKind.SIZER)

    described = info.to_dict()

    assert described["name"] == "widget"
    assert described["description"] == "A component exercising every parameter type."
    assert described["params"][0] == {
        "name": "count",
        "type": "int",
        "default": 3,
        "description": "how many",
        "minimum": 1,
        "maximum": 10,
        "min_exclusive": False,
        "max_exclusive": False,
        "choices": [],
    }
    assert [p.type for p in info.params] == list(ParamType)


def test_builtin_registry_offers_every_shipped_component() -> None:
    registry = builtin_registry()

    assert registry.names("strategy") == [
        "buy_and_hold",
        "random",
        "rsi_reversion",
        "sma_cross",
        "sma_trend",
    ]
    assert registry.names("sizer") == ["fixed", "percent", "signal", "target_weight"]
    assert registry.names("risk") == ["daily_loss", "loss_limit", "order_rate", "position_ratio"]
    assert registry.names("commission") == ["none", "per_share", "percent"]
    assert registry.names("slippage") == ["bps", "none", "ticks"]


def test_create_builds_the_component_from_validated_params() -> None:
    sizer = builtin_registry().create("sizer", "fixed", {"quantity": "25"})

    assert sizer.quantity == 25  # type: ignore[attr-defined]


def test_shorthand_maps_values_onto_parameters_in_declared_order() -> None:
    registry = builtin_registry()

    spec = registry.parse_shorthand("commission", "per_share:0.005:1")

    assert spec == ComponentSpec("per_share", {"rate": "0.005", "minimum": "1"})
    assert registry.parse_shorthand("sizer", "signal") == ComponentSpec("signal")


def test_shorthand_with_too_many_values_is_rejected() -> None:
    with pytest.raises(ConfigError, match="takes at most 1 value"):
        builtin_registry().parse_shorthand("sizer", "fixed:1:2")


def test_registering_a_name_twice_is_a_programming_error(registry: ComponentRegistry) -> None:
    with pytest.raises(ValueError, match="already registered"):
        registry.register("sizer", "widget", WidgetConfig)


def test_config_fields_without_param_declarations_cannot_be_registered() -> None:
    @dataclass(frozen=True)
    class Undeclared:
        count: int = 1

    with pytest.raises(TypeError, match="not declared"):
        ComponentRegistry().register("sizer", "bad", Undeclared)


def test_component_spec_params_are_read_only() -> None:
    spec = ComponentSpec("fixed", {"quantity": 1})

    with pytest.raises(TypeError):
        spec.params["quantity"] = 2  # type: ignore[index]


def test_every_built_in_number_parameter_declares_a_sane_range() -> None:
    numbers = (ParamType.INT, ParamType.FLOAT, ParamType.DECIMAL)

    unbounded = [
        f"{info.kind} {info.name}.{spec.name}"
        for info in builtin_registry().describe()
        for spec in info.params
        if spec.type in numbers and (spec.minimum is None or spec.maximum is None)
    ]

    assert unbounded == []


@pytest.mark.parametrize(
    ("kind", "name", "params", "message"),
    [
        ("strategy", "sma_cross", {"period": 1e20}, "parameter 'period' must be <= 10000"),
        ("strategy", "sma_cross", {"size": "NaN"}, "parameter 'size' must be a finite number"),
        ("strategy", "rsi_reversion", {"low": "-Infinity"}, "parameter 'low' must be a finite"),
        ("sizer", "fixed", {"quantity": "1e30"}, "parameter 'quantity' must be <= 1000000000"),
        ("strategy", "random", {"seed": 2**40}, "parameter 'seed' must be <= 4294967295"),
    ],
)
def test_numbers_that_cannot_be_or_are_absurd_are_refused_naming_the_parameter(
    kind: str, name: str, params: dict, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        builtin_registry().validate(kind, name, params)


def test_a_parameter_without_a_declared_maximum_still_stops_at_the_core_limit(
    registry: ComponentRegistry,
) -> None:
    with pytest.raises(ConfigError, match=r"'amount' must be at most 1e\+15 in magnitude"):
        registry.validate("sizer", "widget", {"amount": "1e16"})
