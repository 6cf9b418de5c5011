"""Upstream: trading.management.commands.backtest, trading.services.portfolio_verify, trading.services.twins
Downstream: trading.core.backtest.engine, trading.core.backtest.result, trading.core.config, trading.core.data.ordering, trading.core.data.window, trading.core.errors, trading.core.market, trading.models, trading.selectors.components, trading.storage.stores
Role: backtests of a stored portfolio: the configuration of any of its versions, its symbols' bars from the bar store in the event order, and the core's backtest over them."""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime

from trading import models
from trading.core.backtest.engine import BacktestEngine, ExecutionSettings
from trading.core.backtest.result import BacktestResult
from trading.core.config import PortfolioConfig, validate_config
from trading.core.data.ordering import merge_streams
from trading.core.data.window import between
from trading.core.errors import DataError
from trading.core.market import Bar, PriceUpdate
from trading.selectors.components import component_registry
from trading.storage.stores import bar_store


def portfolio_version_config(*, portfolio_id: str, version: int | None = None) -> PortfolioConfig:
    """The portfolio's configuration at ``version`` (None: the current one), as the core
    validates it. Raises ``Portfolio.DoesNotExist`` / ``PortfolioVersion.DoesNotExist`` for an
    unknown portfolio or version, ConfigError for a stored config the core refuses."""
    portfolio = models.Portfolio.objects.filter(pk=portfolio_id).first()
    if portfolio is None:
        raise models.Portfolio.DoesNotExist(f"no portfolio {portfolio_id}")
    if version is None or version == portfolio.version:
        config = portfolio.to_config()
    else:
        row = models.PortfolioVersion.objects.filter(
            portfolio_id=portfolio_id, version=version
        ).first()
        if row is None:
            raise models.PortfolioVersion.DoesNotExist(
                f"no version {version} of portfolio {portfolio_id}"
            )
        config = PortfolioConfig.from_dict(row.config)
    return validate_config(config, component_registry())


def stored_bars(
    symbols: Sequence[str], start: datetime | None = None, end: datetime | None = None
) -> Iterator[Bar]:
    """The daily bars of ``symbols`` in ``[start, end)`` from the bar store, in the event
    order a live portfolio sees them (time, then symbol). Each symbol's bars are read whole
    before they are merged: one ClickHouse connection streams one query at a time."""
    store = bar_store()
    return merge_streams([list(store.bars(symbol, start, end)) for symbol in symbols])


def portfolio_backtest(
    *,
    portfolio_id: str,
    version: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    files: Mapping[str, Iterable[Bar]] | None = None,
    execution: ExecutionSettings | None = None,
) -> BacktestResult:
    """Backtest the portfolio's stored configuration (all its symbols, strategy, sizer, risk
    rules, capital) at ``version`` over its symbols' bars in ``[start, end)``: the bar
    store's, or ``files`` (bars by symbol, one stream for each of its symbols). Raises as
    :func:`portfolio_version_config` does, DataError when ``files`` are not its symbols',
    StoreUnavailable when the bar store cannot be read."""
    config = portfolio_version_config(portfolio_id=portfolio_id, version=version)
    if files is None:
        updates: Iterable[PriceUpdate] = stored_bars(config.symbols, start, end)
    else:
        if set(files) != set(config.symbols):
            raise DataError(
                f"the files give bars of {', '.join(sorted(files))}; portfolio {portfolio_id} "
                f"trades {', '.join(sorted(config.symbols))}"
            )
        updates = between(merge_streams(files.values()), start, end)
    return BacktestEngine(config, execution, component_registry()).run(updates)
