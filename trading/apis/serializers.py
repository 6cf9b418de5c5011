"""Upstream: trading.apis.portfolio_control, trading.apis.portfolio_versions, trading.apis.portfolios
Downstream: trading.core.catalog, trading.core.registry, trading.models, trading.selectors.components, trading.services.portfolio_config
Role: serializers several portfolio views share: a component (name + params), the portfolio's configuration input and its output."""

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from trading import models
from trading.core.catalog import DEFAULT_SIZER
from trading.core.registry import ComponentKind
from trading.selectors.components import component_registry
from trading.services.portfolio_config import NAME_MAX_LENGTH, SYMBOL_REGEX, SYMBOL_RULE

COMMENT_MAX_LENGTH = models.PortfolioVersion._meta.get_field("comment").max_length or 200
# Every list a request carries is bounded: a portfolio's universe and its risk chain.
SYMBOLS_MAX = 500
RISKS_MAX = 20


def _names(kind: ComponentKind) -> list[str]:
    return component_registry().names(kind)


class _ComponentSerializer(serializers.Serializer):
    """A registered component by name with its parameters (see /api/components/)."""

    params = serializers.DictField(
        required=False, default=dict, help_text="missing parameters take their defaults"
    )


class StrategySerializer(_ComponentSerializer):
    name = serializers.ChoiceField(_names(ComponentKind.STRATEGY))


class SizerSerializer(_ComponentSerializer):
    """Absent (or empty) means the default sizer."""

    name = serializers.ChoiceField(_names(ComponentKind.SIZER))

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return super().to_representation(instance or {"name": DEFAULT_SIZER, "params": {}})


class RiskSerializer(_ComponentSerializer):
    name = serializers.ChoiceField(_names(ComponentKind.RISK))


class PortfolioConfigInputSerializer(serializers.Serializer):
    """The configurable fields; the registry's checks follow in the service."""

    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    market = serializers.ChoiceField(models.Market.choices, default=models.Market.DEFAULT)
    symbols = serializers.ListField(
        child=serializers.RegexField(
            SYMBOL_REGEX,
            max_length=32,
            error_messages={"invalid": f"%(value)r is not a symbol: {SYMBOL_RULE}"},
        ),
        min_length=1,
        max_length=SYMBOLS_MAX,
        help_text="unique",
    )
    initial_capital = serializers.DecimalField(
        max_digits=24, decimal_places=8, min_value=Decimal("0.00000001")
    )
    strategy = StrategySerializer()
    # Defaults apply to create and PUT (a whole configuration), never to PATCH.
    sizer = SizerSerializer(
        required=False, allow_null=True, default=None, help_text="absent or null: signal"
    )
    risks = RiskSerializer(many=True, required=False, default=list, max_length=RISKS_MAX)
    comment = serializers.CharField(
        max_length=COMMENT_MAX_LENGTH, required=False, allow_blank=True, write_only=True
    )


class PortfolioOutputSerializer(serializers.ModelSerializer):
    symbols = serializers.ListField(child=serializers.CharField())
    strategy = StrategySerializer()
    sizer = SizerSerializer()
    risks = RiskSerializer(many=True)

    class Meta:
        model = models.Portfolio
        fields = (
            "portfolio_id",
            "name",
            "market",
            "symbols",
            "initial_capital",
            "strategy",
            "sizer",
            "risks",
            "desired_state",
            "version",
            "created_at",
            "updated_at",
        )


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
