"""Upstream: trading.livecore.runtime
Downstream: trading.models, trading.selectors.live, trading.selectors.portfolios
Role: the start line of a replay: LiveCore's source waits (bounded) until every portfolio meant to run on its market runs on a node and its symbols are wanted, so the first bar no longer depends on start-up timing."""

import logging
import threading
import time
from collections.abc import Callable, Collection, Mapping

from trading.models import DesiredState
from trading.selectors.live import LiveStateUnavailable, portfolio_status_get
from trading.selectors.portfolios import portfolio_list

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.2


def portfolios_meant_to_run(market: str) -> dict[str, tuple[str, ...]]:
    """Every portfolio of ``market`` whose desired state is running, with its symbols."""
    return {
        row.portfolio_id: tuple(row.symbols)
        for row in portfolio_list(desired_state=DesiredState.RUNNING, market=market)
    }


def await_running(
    portfolios: Mapping[str, Collection[str]],
    wanted: Callable[[str], bool],
    timeout: float,
    stop: threading.Event,
) -> list[str]:
    """Wait (up to ``timeout`` s, or until ``stop``) until each of ``portfolios`` runs (its
    live status says so) and each of its symbols is ``wanted`` (its node's interest reached
    the DataManager); returns the portfolios that did not in time, sorted."""
    deadline = time.monotonic() + timeout
    while True:
        missing = [
            portfolio_id
            for portfolio_id, symbols in sorted(portfolios.items())
            if not _runs(portfolio_id) or not all(wanted(symbol) for symbol in symbols)
        ]
        left = deadline - time.monotonic()
        if not missing or stop.is_set() or left <= 0:
            break
        stop.wait(min(POLL_SECONDS, left))
    if missing:
        logger.warning("portfolio(s) %s not running yet: starting without them", missing)
    else:
        logger.info("every portfolio of the market runs (%d): the source starts", len(portfolios))
    return missing


def _runs(portfolio_id: str) -> bool:
    try:
        fields = portfolio_status_get(portfolio_id=portfolio_id)
    except LiveStateUnavailable:
        return False
    return fields is not None and fields.get("status") == "running"
