"""Upstream: monitoring.apis, monitoring.views, trading.apis.portfolio_versions, trading.apis.portfolios, trading.livecore.readiness
Downstream: trading.models, trading.selectors.configs
Role: reads of portfolios and their versions: filtered lists, one portfolio, one version, the diff of two versions."""

from django.db.models import QuerySet

from trading import models
from trading.selectors.configs import Change, config_diff


def portfolio_list(
    *, desired_state: str | None = None, market: str | None = None
) -> QuerySet[models.Portfolio]:
    """Portfolios by id, optionally only those in one desired state or market."""
    rows = models.Portfolio.objects.all()
    if desired_state:
        rows = rows.filter(desired_state=desired_state)
    if market:
        rows = rows.filter(market=market)
    return rows


def portfolio_get(*, portfolio_id: str) -> models.Portfolio | None:
    """One portfolio, or None."""
    return models.Portfolio.objects.filter(pk=portfolio_id).first()


def portfolio_version_list(*, portfolio_id: str) -> QuerySet[models.PortfolioVersion]:
    """A portfolio's versions, newest first."""
    return (
        models.PortfolioVersion.objects.filter(portfolio_id=portfolio_id)
        .select_related("author")
        .order_by("-version")
    )


def portfolio_version_get(*, portfolio_id: str, version: int) -> models.PortfolioVersion | None:
    """One version of a portfolio, or None."""
    return models.PortfolioVersion.objects.filter(
        portfolio_id=portfolio_id, version=version
    ).first()


def portfolio_version_diff(
    *, old: models.PortfolioVersion, new: models.PortfolioVersion
) -> list[Change]:
    """What changed from ``old`` to ``new``, field by field (nested params flattened)."""
    return config_diff(old=old.config, new=new.config)
