"""Upstream: (entry point: python manage.py backtest)
Downstream: trading.core.amounts, trading.core.backtest.engine, trading.core.backtest.result, trading.core.catalog, trading.core.config, trading.core.data.csv_bars, trading.core.data.window, trading.core.enums, trading.core.errors, trading.core.ports, trading.core.registry, trading.storage.stores
Role: thin manage.py command: parses backtest arguments, runs the core backtest on a CSV file, prints a summary or JSON."""

import json
from argparse import ArgumentParser
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from trading.core.amounts import positive_amount
from trading.core.backtest.engine import BacktestEngine, ExecutionSettings
from trading.core.backtest.result import BacktestResult
from trading.core.catalog import builtin_registry
from trading.core.config import PortfolioConfig, build_commission, validate_config
from trading.core.data.csv_bars import read_csv_bars
from trading.core.data.window import between
from trading.core.enums import OrderStatus
from trading.core.errors import CoreError
from trading.core.ports import StoreUnavailable
from trading.core.registry import ComponentKind, ComponentSpec
from trading.storage.stores import bar_store


class Command(BaseCommand):
    help = "Backtest a registered strategy on OHLCV bars from a CSV file or the bar store."
    # A pure computation (reading the bar store at most): no system checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--data", type=Path, help="CSV file of bars")
        source.add_argument(
            "--store", action="store_true", help="read --symbol's bars from the bar store"
        )
        parser.add_argument("--symbol", help="symbol of the bars (default: the file's stem)")
        parser.add_argument("--strategy", required=True, help="registered strategy name")
        parser.add_argument(
            "--param", action="append", default=[], metavar="KEY=VALUE", help="strategy parameter"
        )
        parser.add_argument("--cash", required=True, help="initial capital")
        parser.add_argument("--sizer", default="signal", help="fixed:Q | percent:P | ...")
        parser.add_argument("--commission", default="none", help="per_share:RATE:MIN | percent:P")
        parser.add_argument("--from", dest="start", help="first date, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", help="last date, YYYY-MM-DD")
        parser.add_argument("--adjust", action="store_true", help="scale prices by Adj Close")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = _run(options)
        except (CoreError, StoreUnavailable) as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.to_dict()))
        else:
            self.stdout.write(_summary(result))


def _run(options: dict[str, Any]) -> BacktestResult:
    registry = builtin_registry()
    path: Path | None = options["data"]
    symbol = options["symbol"] or (path.stem if path else None)
    if symbol is None:
        raise CommandError("--store needs --symbol")
    config = validate_config(
        PortfolioConfig(
            portfolio_id="backtest",
            symbols=(symbol,),
            initial_capital=_amount("--cash", options["cash"]),
            strategy=ComponentSpec(options["strategy"], _params(options["param"])),
            sizer=registry.parse_shorthand(ComponentKind.SIZER, options["sizer"]),
        ),
        registry,
    )
    commission = build_commission(
        registry.parse_shorthand(ComponentKind.COMMISSION, options["commission"]), registry
    )
    start, end = _date("--from", options["start"]), _date("--to", options["end"])
    if start is not None and end is not None and start > end:
        raise CommandError(f"--from {start} is after --to {end}")
    if path is None:
        bars = bar_store().bars(
            symbol,
            datetime.combine(start, time(), UTC) if start else None,
            datetime.combine(end + timedelta(days=1), time(), UTC) if end else None,
        )
    else:
        bars = between(read_csv_bars(path, symbol, adjust=options["adjust"]), start, end)
    engine = BacktestEngine(config, ExecutionSettings(commission=commission), registry)
    result = engine.run(bars)
    if not result.bars:
        where = path if path is not None else f"the bar store's {symbol}"
        raise CommandError(f"no bars in {where}{_range_text(start, end)}")
    return result


def _params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise CommandError(f"--param expects KEY=VALUE, got {pair!r}")
        params[key.strip()] = value.strip()
    return params


def _amount(option: str, text: str) -> Decimal:
    try:
        return positive_amount(text)
    except ValueError as exc:
        raise CommandError(f"{option} {exc}") from None


def _range_text(start: date | None, end: date | None) -> str:
    if start is None and end is None:
        return ""
    return f" from {start or 'the start'} to {end or 'the end'}"


def _date(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} expects a date YYYY-MM-DD, got {text!r}") from None


def _rejections(result: BacktestResult) -> str:
    rejected = [order for order in result.orders if order.status == OrderStatus.REJECTED]
    if not rejected:
        return ""
    return f", {len(rejected)} rejected (first: {rejected[0].reason})"


def _summary(result: BacktestResult) -> str:
    def percent(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2%}"

    period = f"{result.start:%Y-%m-%d} .. {result.end:%Y-%m-%d}" if result.start else "no data"
    lines = [
        f"Bars:          {result.bars} ({period})",
        f"Initial cash:  {result.initial_capital}",
        f"Final value:   {result.final_value:.2f}",
        f"Cash:          {result.cash:.2f}",
        f"Return:        {percent(result.total_return)}",
        f"Max drawdown:  {percent(result.max_drawdown)}",
        f"Sharpe:        {'n/a' if result.sharpe is None else f'{result.sharpe:.2f}'}",
        f"Trades:        {result.trade_count} fills, {result.round_trips} round trips",
        f"Win rate:      {percent(result.win_rate)}",
        f"Orders:        {len(result.orders)}{_rejections(result)}",
    ]
    if result.strategy_error:
        lines.append(f"Strategy error: {result.strategy_error}")
    return "\n".join(lines)
