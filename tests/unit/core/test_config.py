"""Upstream: (entry point: pytest)
Downstream: trading.core.clock, trading.core.config, trading.core.errors, trading.core.matching.commissions, trading.core.matching.slippage, trading.core.pipeline, trading.core.registry, trading.core.risk.rules
Role: PortfolioConfig validation, its JSON form, and building a runnable pipeline from it."""

import json
from decimal import Decimal

import pytest

from trading.core.clock import TestClock
from trading.core.config import (
    PortfolioConfig,
    build_commission,
    build_pipeline,
    build_slippage,
    validate_config,
)
from trading.core.errors import ConfigError
from trading.core.matching.commissions import PerShareCommission
from trading.core.matching.slippage import TickSlippage
from trading.core.pipeline import PortfolioPipeline
from trading.core.registry import ComponentSpec
from trading.core.risk.rules import LossLimitRisk, PositionRatioRisk


def _config(**overrides: object) -> PortfolioConfig:
    fields: dict = {
        "portfolio_id": "alpha",
        "symbols": ("AAA", "BBB"),
        "initial_capital": Decimal(50_000),
        "strategy": ComponentSpec("sma_cross", {"period": "15"}),
        "sizer": ComponentSpec("percent", {"percent": 20}),
        "risks": (
            ComponentSpec("loss_limit"),
            ComponentSpec("position_ratio", {"max_ratio": "0.3"}),
        ),
        "version": 4,
    }
    return PortfolioConfig(**{**fields, **overrides})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"portfolio_id": ""}, "portfolio_id must not be empty"),
        ({"symbols": ()}, "symbols must be non-empty"),
        ({"symbols": ("AAA", "AAA")}, "unique"),
        ({"initial_capital": Decimal(0)}, "initial_capital must be above 0 and at most 1e"),
        ({"initial_capital": Decimal("NaN")}, "initial_capital must be a finite number"),
        ({"initial_capital": Decimal("-Infinity")}, "initial_capital must be a finite number"),
        ({"initial_capital": Decimal("1e20")}, r"initial_capital must be .* at most 1e\+15"),
        ({"version": 0}, "version must be at least 1"),
    ],
)
def test_malformed_configs_are_refused(overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _config(**overrides)


def test_the_default_sizer_uses_the_strategy_quantity_hint() -> None:
    config = PortfolioConfig("p", ("AAA",), Decimal(1), ComponentSpec("buy_and_hold"))

    assert config.sizer == ComponentSpec("signal")


def test_json_form_round_trips() -> None:
    config = _config()

    restored = PortfolioConfig.from_dict(json.loads(json.dumps(config.to_dict())))

    assert restored == config
    assert config.to_dict()["initial_capital"] == "50000"


@pytest.mark.parametrize(
    "change",
    [
        {"strategy": None},  # missing
        {"symbols": "AAA"},  # a string is not a list of symbols
        {"initial_capital": "lots"},
        {"risks": [{"params": {}}]},
    ],
)
def test_malformed_json_form_raises_config_error(change: dict) -> None:
    data = {**_config().to_dict(), **change}
    data = {key: value for key, value in data.items() if value is not None}

    with pytest.raises(ConfigError, match="malformed portfolio config"):
        PortfolioConfig.from_dict(data)


def test_validate_normalises_every_component() -> None:
    validated = validate_config(_config())

    assert validated.strategy.params == {"period": 15, "size": Decimal(1)}
    assert validated.sizer.params == {"percent": Decimal(20)}
    assert validated.risks[1].params == {"max_ratio": Decimal("0.3")}


def test_validate_names_the_offending_risk_parameter() -> None:
    config = _config(risks=(ComponentSpec("loss_limit", {"max_loss": "2"}),))

    with pytest.raises(ConfigError, match=r"risk 'loss_limit': parameter 'max_loss' must be <= 1"):
        validate_config(config)


def test_build_pipeline_wires_named_components_in_order() -> None:
    pipeline = build_pipeline(_config(), clock=TestClock(), run_epoch=7)

    assert isinstance(pipeline, PortfolioPipeline)
    assert pipeline.symbols == ("AAA", "BBB")
    assert pipeline.view.cash == 50_000
    assert [type(m) for m in pipeline.risk_managers] == [LossLimitRisk, PositionRatioRisk]


def test_build_pipeline_rejects_unknown_components() -> None:
    with pytest.raises(ConfigError, match="unknown sizer 'kelly'"):
        build_pipeline(_config(sizer=ComponentSpec("kelly")), clock=TestClock())


def test_cost_models_are_built_from_specs() -> None:
    commission = build_commission(ComponentSpec("per_share", {"rate": "0.01", "minimum": "2"}))
    slippage = build_slippage(ComponentSpec("ticks", {"ticks": 2}))

    assert commission == PerShareCommission(Decimal("0.01"), Decimal(2))
    assert slippage == TickSlippage(2, Decimal("0.01"))
